/** What a message may carry: the server enforces these, and the browser says them before sending. */
export const MAX_CONTENT_CHARS = 32_000;
export const MAX_IMAGES_PER_MESSAGE = 4;

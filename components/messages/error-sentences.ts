import { ApiError } from '@/components/api';

/** Not a server code: a request that never got an answer, or a stream that broke off. */
export const NETWORK_ERROR = 'network_error';

/**
 * One sentence per code, for a refused send (problem JSON), a stream's `error` event and a failed
 * answer's `error_code` alike: the server's own words are written for developers.
 */
const sentences: Record<string, string> = {
  generation_in_progress:
    'An answer is still being written in this chat. Wait for it to finish, then send again.',
  request_id_conflict:
    'This message was already sent and its answer is still running or did not finish. Send it again as a new message.',
  invalid_attachment:
    'One of the attached files cannot be sent: it was removed, is not ready yet, or is no longer in this chat. Remove it and try again.',
  too_many_images: 'A message can carry at most 4 images. Remove some and send again.',
  images_disabled: 'Images are turned off for your organisation. Remove the images and send again.',
  invalid_model: "This chat's model is no longer available. Start a new chat to go on.",
  not_latest_turn: 'Only the last answer of a chat can be retried.',
  validation_error: 'The message could not be sent: it must have some text and at most 32,000 characters.',
  provider_error: 'The model service answered with an error.',
  provider_timeout: 'The model took too long to answer.',
  provider_unavailable: 'The model service is unavailable right now.',
  rate_limited: 'The model service is handling too many requests right now. Wait a moment, then try again.',
  // Ours, not the model service's: the messages one user may send a minute (lib/rate-limits).
  rate_limit_exceeded: 'You have sent as many messages as you may in a minute.',
  context_too_long:
    'This chat has grown too long for the model to read at once. Start a new chat, or ask with fewer or smaller files.',
  content_filtered: "The model's content filter stopped this answer. Try rephrasing your message.",
  stream_interrupted: 'The answer broke off before it finished.',
  orphan_timeout: 'The server stopped while writing this answer, so it was given up on.',
  input_too_long:
    "This message is too long for the chat's model. Shorten it, or split it over several messages.",
  internal: 'Something went wrong on our side.',
  not_found: 'This chat no longer exists; it may have been deleted.',
  unauthorized: 'Your session has ended. Sign in again to go on.',
  [NETWORK_ERROR]: 'The connection to the server was lost. Check your connection and try again.',
};

const UNKNOWN = 'Something went wrong.';

/** The sentence for a code; unknown codes get a general one rather than the server's detail. */
export function turnErrorSentence(code: string | undefined): string {
  return (code && sentences[code]) || UNKNOWN;
}

/** Codes a retry of the same turn cannot cure: the message, its files or the chat must change. */
const PERMANENT = new Set([
  'input_too_long',
  'invalid_attachment',
  'too_many_images',
  'images_disabled',
  'invalid_model',
  'not_latest_turn',
  'validation_error',
  'not_found',
  'unauthorized',
  'request_id_conflict',
]);

export const canRetryTurn = (code: string | undefined) => !code || !PERMANENT.has(code);

/** The code of anything a send or retry threw: a problem's code, or a network failure. */
export function errorCode(error: unknown): string {
  if (error instanceof ApiError) return error.code;
  return NETWORK_ERROR;
}

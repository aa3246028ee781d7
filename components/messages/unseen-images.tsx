'use client';

import { useModels } from '@/components/chats/model-queries';

/**
 * How to get images read: a model the server offers that has vision, by name, else the one who
 * configures the server. True whether the user starts a new chat or changes this one's model.
 */
function useWayToSeeImages(): string {
  const { data } = useModels();
  const seeing = data?.items.find((model) => model.capabilities.includes('vision'));
  return seeing
    ? `To ask about images, use a model that can read them, such as ${seeing.display_name}.`
    : 'To ask about images, ask your administrator to set up a model that can read them.';
}

const noteClass =
  'rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200';

/** By the composer, while images are attached in a chat whose model has no vision: before sending. */
export function UnseenImagesHint({ id }: { id: string }) {
  const way = useWayToSeeImages();
  return (
    <p id={id} className={noteClass}>
      This chat&apos;s model cannot see images: it will read only your text, and the images stay attached to
      the message. {way}
    </p>
  );
}

/** On an answer whose model did not see the images sent with the question. */
export function UnseenImagesNote({ count }: { count: number }) {
  const way = useWayToSeeImages();
  const images = count === 1 ? 'the image' : `the ${count} images`;
  return (
    <p role="note" className={`mt-2 ${noteClass}`}>
      The model did not see {images} sent with this message: it cannot read images. {way}
    </p>
  );
}

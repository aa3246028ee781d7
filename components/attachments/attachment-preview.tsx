import type { AttachmentKind } from './error-messages';
import { extensionOf } from './file-format';

const tones = {
  pdf: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  word: 'bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-300',
  slides: 'bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300',
  sheet: 'bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300',
  code: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  image: 'bg-teal-100 text-teal-800 dark:bg-teal-950 dark:text-teal-300',
  other: 'bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
} as const;

const CODE = new Set([
  'py',
  'java',
  'js',
  'mjs',
  'ts',
  'mts',
  'rs',
  'go',
  'cs',
  'rb',
  'sql',
  'json',
  'html',
  'htm',
]);

function toneOf(extension: string, kind: AttachmentKind): keyof typeof tones {
  if (kind === 'image') return 'image';
  if (extension === 'pdf') return 'pdf';
  if (extension === 'docx') return 'word';
  if (extension === 'pptx') return 'slides';
  if (extension === 'xlsx' || extension === 'csv') return 'sheet';
  return CODE.has(extension) ? 'code' : 'other';
}

const boxes = { sm: 'size-10', md: 'size-12' } as const;

/**
 * A fixed-size box, the same before and after a preview loads (so nothing moves): the image, or a
 * badge with the file's extension coloured by its type.
 */
export function AttachmentPreview({
  filename,
  kind,
  src,
  size = 'sm',
}: {
  filename: string;
  kind: AttachmentKind;
  src?: string;
  size?: keyof typeof boxes;
}) {
  const extension = extensionOf(filename);
  if (src) {
    return (
      // biome-ignore lint/performance/noImgElement: object and data URLs, which next/image cannot optimise.
      <img
        src={src}
        alt={`Preview of ${filename}`}
        className={`${boxes[size]} shrink-0 rounded-md bg-zinc-100 object-cover dark:bg-zinc-800`}
      />
    );
  }
  return (
    <span
      aria-hidden="true"
      className={`${boxes[size]} ${tones[toneOf(extension, kind)]} flex shrink-0 items-center justify-center rounded-md text-[10px] font-bold tracking-wide uppercase`}
    >
      {(extension || kind).slice(0, 4)}
    </span>
  );
}

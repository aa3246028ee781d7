import { createHash } from 'node:crypto';
import { createBodyClock } from '@/lib/attachments/body-clock';
import { ByteLimitExceeded, type Head, meteredStream, readHead } from '@/lib/attachments/byte-stream';
import { createTextValidator, isTextType, unfinishedTail } from '@/lib/attachments/content-check';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import type { FileTypeRule } from '@/lib/attachments/mime';
import { checkContent } from '@/lib/attachments/upload/admit';
import { AppError } from '@/lib/errors';
import type { UploadStaging } from '@/lib/file-stores/ports';
import { payloadTooLarge } from '@/lib/http/body';

/** The bytes of a text part that only its neighbours can judge (see `textPartCheck`). */
export type TextEdges = { textHead: Buffer; textTail: Buffer };

export interface IncomingPart {
  n: number;
  /** The part's exact size. */
  size: number;
  /** The SHA-256 the client declared. */
  digest: Buffer;
  rule: FileTypeRule;
  last: boolean;
  /** Whether the part is a whole image, whose bytes its thumbnail needs. */
  wholeImage: boolean;
  body: AsyncIterable<Uint8Array>;
}

export interface ReceivedPart {
  partRef: string;
  edges: TextEdges | null;
  /** The part's bytes, only for a whole image. */
  image: Buffer | null;
}

/**
 * Streams a part into the staging, checked as it passes: the body clock, the size cap, part 1's
 * content check (its head is read first), UTF-8 for text; the size and the SHA-256 are judged at the
 * end, before the last bytes go on, so a staging that streams never keeps a part that failed (a
 * staging without `putPartStream` gets the part whole once it has passed). Nothing but the part's
 * current chunks is held, except for a whole image's bytes.
 */
export async function receivePart(
  deps: Pick<AttachmentDeps, 'config' | 'metrics'>,
  staging: UploadStaging,
  stagingRef: string,
  part: IncomingPart,
): Promise<ReceivedPart> {
  const clock = createBodyClock(deps.config.bodyPace, () => {});
  const source = clock.body(part.body);
  const head: Head = part.n === 1 ? await checkContent(deps, source, part.rule) : await readHead(source, 0);
  const hash = createHash('sha256');
  const text = isTextType(part.rule) ? textPartCheck(part.n === 1, part.last) : null;
  const image: Uint8Array[] | null = part.wholeImage ? [] : null;
  const metered = meteredStream(
    head,
    part.size,
    (chunk) => {
      hash.update(chunk);
      text?.push(chunk);
      image?.push(chunk);
    },
    () => {
      if (metered.bytes !== part.size) {
        throw new AppError('part_size_mismatch', `Part ${part.n} must have exactly ${part.size} bytes.`, {
          extensions: { expected_bytes: part.size },
        });
      }
      if (!hash.digest().equals(part.digest)) {
        throw new AppError(
          'digest_mismatch',
          `Part ${part.n} does not match its Content-Digest; send it again.`,
        );
      }
      text?.end();
    },
  );
  let partRef: string;
  try {
    ({ partRef } = staging.putPartStream
      ? await staging.putPartStream(stagingRef, part.n, metered, part.size)
      : await staging.putPart(stagingRef, part.n, await collect(metered)));
  } catch (err) {
    throw partFailure(err, metered.failure, part.size);
  }
  return { partRef, edges: text?.edges() ?? null, image: image && Buffer.concat(image) };
}

/** What really stopped a part: our check, the client, or the staging. */
function partFailure(
  err: unknown,
  failure: { from: 'check' | 'source'; error: unknown } | undefined,
  size: number,
) {
  const cause = failure?.error;
  if (cause instanceof ByteLimitExceeded) return payloadTooLarge(size);
  if (cause instanceof AppError) return cause;
  if (failure?.from === 'source') {
    return new AppError('part_size_mismatch', `The part ended before its ${size} bytes arrived.`, {
      extensions: { expected_bytes: size },
    });
  }
  return fileStoreFailure(err, 'upload_failed');
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A text part checked as UTF-8 within itself as it streams. The continuation bytes it starts with
 * (finishing a character the previous part began) and the sequence it leaves unfinished are set
 * aside as its edges, for completion to check against the neighbouring parts'.
 */
function textPartCheck(first: boolean, last: boolean) {
  const validator = createTextValidator();
  const lead: number[] = [];
  let leading = !first;
  let recent = Buffer.alloc(0);
  return {
    push(chunk: Uint8Array) {
      let start = 0;
      while (
        leading &&
        start < chunk.length &&
        lead.length < 3 &&
        ((chunk[start] as number) & 0xc0) === 0x80
      ) {
        lead.push(chunk[start] as number);
        start++;
      }
      if (start < chunk.length) leading = false;
      const rest = chunk.subarray(start);
      validator.push(rest);
      recent = Buffer.concat([recent, rest.subarray(-3)]).subarray(-3);
    },
    end() {
      if (last) validator.end();
    },
    edges: (): TextEdges => ({
      textHead: Buffer.from(lead),
      textTail: last ? Buffer.alloc(0) : Buffer.from(recent.subarray(recent.length - unfinishedTail(recent))),
    }),
  };
}

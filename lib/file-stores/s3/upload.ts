import 'server-only';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { nextOrAbort, release } from '@/lib/file-stores/body';
import { errorFields, log } from '@/lib/log';
import { s3Failure } from './client';

export interface ObjectTarget {
  Bucket: string;
  Key: string;
  ContentType: string;
}

/**
 * Streams `body` into one object without holding the file: up to `partSize` bytes go in one
 * PutObject; a larger body goes as a multipart upload of `partSize` parts, the next part read from
 * the body while the previous one is sent (so at most two parts are in memory). On any failure,
 * the body's, the store's or the abort signal's, the multipart upload is aborted, so no incomplete
 * upload is left to bill for; the body's own error (or the abort reason) is rethrown untouched,
 * because callers throw their own errors from inside `body` (a size limit) and expect them back.
 */
export async function putStream(
  client: S3Client,
  target: ObjectTarget,
  body: AsyncIterable<Uint8Array>,
  options: { partSize: number; signal?: AbortSignal },
): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  const iterator = body[Symbol.asyncIterator]();
  const reader = new PartReader(iterator, options.partSize, signal);
  try {
    const first = await reader.next();
    if (first.last) {
      const put = new PutObjectCommand({
        ...target,
        Body: first.bytes,
        ContentLength: first.bytes.byteLength,
      });
      await step(client.send(put, { abortSignal: signal }), 'PutObject', signal);
      return;
    }
    await multipart(client, target, first, reader, signal);
  } catch (err) {
    release(iterator);
    throw err;
  }
}

async function multipart(
  client: S3Client,
  target: ObjectTarget,
  first: Part,
  reader: PartReader,
  signal: AbortSignal | undefined,
): Promise<void> {
  const created = await step(
    client.send(new CreateMultipartUploadCommand(target), { abortSignal: signal }),
    'CreateMultipartUpload',
    signal,
  );
  const { Bucket, Key } = target;
  const UploadId = created.UploadId;
  try {
    const sent: { PartNumber: number; ETag: string | undefined }[] = [];
    let part = first;
    for (let PartNumber = 1; ; PartNumber++) {
      const upload = new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber,
        Body: part.bytes,
        ContentLength: part.bytes.byteLength,
      });
      const [{ ETag }, next] = await Promise.all([
        step(client.send(upload, { abortSignal: signal }), 'UploadPart', signal),
        part.last ? undefined : reader.next(),
      ]);
      sent.push({ PartNumber, ETag });
      // A body that ends exactly on a part boundary leaves an empty last read: nothing to send.
      if (!next || (next.last && next.bytes.byteLength === 0)) break;
      part = next;
    }
    const complete = new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: sent },
    });
    await step(client.send(complete, { abortSignal: signal }), 'CompleteMultipartUpload', signal);
  } catch (err) {
    // Not with `signal`: it may be the reason we are here.
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch((cause: unknown) => {
      // Left for the temporaries sweep and the bucket's lifecycle rule.
      log.warn({ err: errorFields(cause) }, 'S3 multipart upload not aborted');
    });
    throw err;
  }
}

function step<T>(call: Promise<T>, operation: string, signal: AbortSignal | undefined): Promise<T> {
  return call.catch((cause: unknown) => {
    throw signal?.aborted ? signal.reason : s3Failure('upload_failed', operation, cause);
  });
}

interface Part {
  bytes: Buffer;
  /** The body has ended: no part follows this one. */
  last: boolean;
}

/** Cuts a body into parts of `size` bytes, the last one shorter. */
class PartReader {
  private carry: Uint8Array[] = [];
  private carried = 0;
  private ended = false;

  constructor(
    private readonly iterator: AsyncIterator<Uint8Array>,
    private readonly size: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async next(): Promise<Part> {
    while (!this.ended && this.carried < this.size) {
      const result = await nextOrAbort(this.iterator, this.signal);
      if (result.done) {
        this.ended = true;
      } else {
        this.carry.push(result.value);
        this.carried += result.value.byteLength;
      }
    }
    const held = Buffer.concat(this.carry, this.carried);
    const rest = held.subarray(this.size);
    this.carry = rest.byteLength > 0 ? [rest] : [];
    this.carried = rest.byteLength;
    return { bytes: held.subarray(0, this.size), last: this.ended && this.carried === 0 };
  }
}

import 'server-only';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
  type _Object as S3Object,
} from '@aws-sdk/client-s3';
import { s3Failure } from './client';

/** The bucket and the part of it that is ours (see S3Config.keyPrefix). */
export interface BucketArea {
  client: S3Client;
  bucket: string;
  keyPrefix: string;
}

/** Where a chunked upload's parts wait: `<prefix>.staging/<attachmentId>/<n>`, out of the files' listing. */
export const stagingPrefix = (area: BucketArea, attachmentId?: string): string =>
  `${area.keyPrefix}.staging/${attachmentId ? `${attachmentId}/` : ''}`;

/**
 * Every object under `prefix`, page by page. With `delimiter`, only the objects directly under
 * it (no deeper "folders", such as the staging area under the files).
 */
export async function* listObjects(
  area: BucketArea,
  prefix: string,
  options: { delimiter?: string } = {},
): AsyncGenerator<S3Object> {
  let token: string | undefined;
  do {
    const command = new ListObjectsV2Command({
      Bucket: area.bucket,
      Prefix: prefix,
      ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
      ...(token ? { ContinuationToken: token } : {}),
    });
    const page = await area.client.send(command).catch((cause: unknown) => {
      throw s3Failure('provider_unavailable', 'ListObjectsV2', cause);
    });
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** DeleteObjects takes at most this many keys a request. */
const DELETE_BATCH = 1000;

/** Deletes every object under `prefix`; resolves when none is left, including when there was none. */
export async function deleteUnder(area: BucketArea, prefix: string): Promise<void> {
  const keys: string[] = [];
  // Listed whole first: deleting under a cursor could make it skip keys.
  for await (const object of listObjects(area, prefix)) if (object.Key) keys.push(object.Key);
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
    const command = new DeleteObjectsCommand({
      Bucket: area.bucket,
      Delete: { Objects: batch, Quiet: true },
    });
    const out = await area.client.send(command).catch((cause: unknown) => {
      throw s3Failure('provider_unavailable', 'DeleteObjects', cause);
    });
    if (out.Errors?.length) {
      throw s3Failure(
        'provider_unavailable',
        'DeleteObjects',
        new Error(`${out.Errors.length} keys not deleted`),
      );
    }
  }
}

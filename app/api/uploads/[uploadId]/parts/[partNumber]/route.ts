import { apiRoute } from '@/app/api/_lib/route';
import { putPart } from '@/lib/attachments/chunked/part';
import { contentLength } from '@/lib/http/body';
import { json } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

type Params = { uploadId: string; partNumber: string };

// The raw part (at most 4 MiB) streams into the staging, capped at its exact size; like the upload
// route, this must stay out of any proxy.ts matcher.
export const PUT = apiRoute<Params>(async ({ request, caller, params }) =>
  json(
    await putPart(await attachmentDeps(), caller, params.uploadId, {
      partNumber: params.partNumber,
      digest: request.headers.get('content-digest'),
      length: contentLength(request),
      body: request.body as AsyncIterable<Uint8Array> | null,
    }),
  ),
);

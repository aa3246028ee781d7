import { after } from 'next/server';
import { apiRoute } from '@/app/api/_lib/route';
import { completeUpload } from '@/lib/attachments/chunked/complete';
import { json } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

type Params = { uploadId: string };

// sharp (an image's thumbnail, made at completion) is a native module: Node, never the Edge runtime.
export const runtime = 'nodejs';

export const POST = apiRoute<Params>(async ({ caller, params }) => {
  const { upload, indexing } = await completeUpload(await attachmentDeps(), caller, params.uploadId);
  // Ready means searchable: the wait for the provider's indexing outlives the response.
  if (indexing) after(indexing);
  return json(upload);
});

import { after } from 'next/server';
import { apiRoute } from '@/app/api/_lib/route';
import { listAttachments } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { contentLength } from '@/lib/http/body';
import { json } from '@/lib/http/json';
import { openFilePart } from '@/lib/http/multipart';
import { attachmentDeps } from '@/lib/runtime';

type Params = { id: string };

// sharp (an image's thumbnail) is a native module: Node, never the Edge runtime.
export const runtime = 'nodejs';

// The body is streamed from request.body to the provider; this route must stay out of any
// proxy.ts matcher, which would buffer and truncate it at 10 MB.
export const POST = apiRoute<Params>(async ({ request, caller, params }) => {
  const deps = await attachmentDeps();
  const { attachment, indexing } = await uploadFile(deps, caller, params.id, {
    sizeHint: contentLength(request),
    openFile: (stop) => openFilePart(request, stop),
    signal: request.signal,
  });
  // Ready means searchable: the wait for the provider's indexing outlives the response.
  if (indexing) after(indexing);
  return json(attachment, 201, { location: `/api/chats/${params.id}/attachments/${attachment.id}` });
});

export const GET = apiRoute<Params>(async ({ caller, params }) =>
  json({ items: await listAttachments(await attachmentDeps(), caller, params.id) }),
);

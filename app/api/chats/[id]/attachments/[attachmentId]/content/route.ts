import { apiRoute } from '@/app/api/_lib/route';
import { openContent } from '@/lib/attachments/service';
import { fileResponse } from '@/lib/http/file-response';
import { attachmentDeps } from '@/lib/runtime';

const content = apiRoute<{ id: string; attachmentId: string }>(async ({ request, caller, params }) =>
  fileResponse(
    await openContent(await attachmentDeps(), caller, params.id, params.attachmentId, {
      range: request.headers.get('range'),
      ifRange: request.headers.get('if-range'),
      disposition: new URL(request.url).searchParams.get('disposition'),
      headOnly: request.method === 'HEAD',
    }),
  ),
);

export { content as GET, content as HEAD };

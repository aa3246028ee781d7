import { apiRoute } from '@/app/api/_lib/route';
import { getThumbnail } from '@/lib/attachments/service';
import { attachmentDeps } from '@/lib/runtime';

export const GET = apiRoute<{ id: string; attachmentId: string }>(async ({ caller, params }) => {
  const bytes = await getThumbnail(await attachmentDeps(), caller, params.id, params.attachmentId);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': 'image/webp',
      'content-length': String(bytes.byteLength),
      // Thumbnails are the user's own content: never in a shared cache.
      'cache-control': 'private, max-age=3600',
    },
  });
});

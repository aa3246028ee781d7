import { apiRoute } from '@/app/api/_lib/route';
import { revokeInvitation } from '@/lib/admin/invitations';

export const DELETE = apiRoute<{ id: string }>(async ({ db, caller, params, requestId }) => {
  await revokeInvitation(db, caller, params.id, requestId);
  return new Response(null, { status: 204 });
});

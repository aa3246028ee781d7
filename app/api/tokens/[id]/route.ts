import { apiRoute } from '@/app/api/_lib/route';
import { revokeToken } from '@/lib/auth/tokens';

export const DELETE = apiRoute<{ id: string }>(async ({ db, caller, params }) => {
  await revokeToken(db, caller, params.id);
  return new Response(null, { status: 204 });
});

import { revokeToken } from '@/lib/auth/tokens';
import { apiRoute } from '../../_lib/route';

export const DELETE = apiRoute<{ id: string }>(async ({ db, caller, params }) => {
  await revokeToken(db, caller, params.id);
  return new Response(null, { status: 204 });
});

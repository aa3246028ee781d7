import { json } from '@/lib/http/json';
import { getTurn } from '@/lib/turns/service';
import { apiRoute } from '../../../../_lib/route';

export const GET = apiRoute<{ id: string; requestId: string }>(async ({ db, caller, params }) =>
  json(await getTurn(db, caller, params.id, params.requestId)),
);

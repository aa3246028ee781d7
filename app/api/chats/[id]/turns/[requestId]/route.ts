import { apiRoute } from '@/app/api/_lib/route';
import { json } from '@/lib/http/json';
import { getTurn } from '@/lib/turns/service';

export const GET = apiRoute<{ id: string; requestId: string }>(async ({ db, caller, params }) =>
  json(await getTurn(db, caller, params.id, params.requestId)),
);

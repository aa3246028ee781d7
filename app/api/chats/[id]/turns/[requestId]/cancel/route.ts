import { apiRoute } from '@/app/api/_lib/route';
import { json } from '@/lib/http/json';
import { cancelTurn } from '@/lib/turns/service';

/** 202 while the stop is under way, 200 for a turn that had already ended. */
export const POST = apiRoute<{ id: string; requestId: string }>(async ({ db, caller, params }) => {
  const turn = await cancelTurn(db, caller, params.id, params.requestId);
  return json(turn, turn.state === 'running' ? 202 : 200);
});

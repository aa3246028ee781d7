import { json } from '@/lib/http/json';
import { cancelTurn } from '@/lib/turns/service';
import { apiRoute } from '../../../../../_lib/route';

/** 202 while the stop is under way, 200 for a turn that had already ended. */
export const POST = apiRoute<{ id: string; requestId: string }>(async ({ db, caller, params }) => {
  const turn = await cancelTurn(db, caller, params.id, params.requestId);
  return json(turn, turn.state === 'running' ? 202 : 200);
});

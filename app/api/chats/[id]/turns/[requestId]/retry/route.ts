import { apiRoute } from '@/app/api/_lib/route';
import { eventStream } from '@/app/api/_lib/sse';
import { turnDeps } from '@/lib/runtime';
import { retryTurn } from '@/lib/turns/service';

export const maxDuration = 300;

export const POST = apiRoute<{ id: string; requestId: string }>(async ({ request, caller, params }) =>
  eventStream(await retryTurn(await turnDeps(), caller, params.id, params.requestId, request.signal)),
);

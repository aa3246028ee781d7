import { apiRoute } from '@/app/api/_lib/route';
import { eventStream } from '@/app/api/_lib/sse';
import { json, readJson } from '@/lib/http/json';
import { listMessages } from '@/lib/messages/service';
import { turnDeps } from '@/lib/runtime';
import { sendMessage } from '@/lib/turns/service';

type Params = { id: string };

/** A long answer streams for minutes; the platform default would cut it off. */
export const maxDuration = 300;

export const GET = apiRoute<Params>(async ({ request, db, caller, params }) => {
  const query = new URL(request.url).searchParams;
  return json(
    await listMessages(db, caller, params.id, {
      limit: query.get('limit'),
      cursor: query.get('cursor'),
      order: query.get('order'),
    }),
  );
});

export const POST = apiRoute<Params>(async ({ request, caller, params }) =>
  eventStream(
    await sendMessage(await turnDeps(), caller, params.id, await readJson(request), request.signal),
  ),
);

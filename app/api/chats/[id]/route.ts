import { apiRoute } from '@/app/api/_lib/route';
import { deleteChat, getChat, updateChat } from '@/lib/chats/service';
import { json, readJson } from '@/lib/http/json';
import { modelChoice } from '@/lib/runtime';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ db, caller, params }) =>
  json(await getChat(db, caller, params.id)),
);

export const PATCH = apiRoute<Params>(async ({ request, db, caller, params }) =>
  json(await updateChat(db, modelChoice(), caller, params.id, await readJson(request))),
);

export const DELETE = apiRoute<Params>(async ({ db, caller, params }) => {
  await deleteChat(db, caller, params.id);
  return new Response(null, { status: 204 });
});

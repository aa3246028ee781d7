import { apiRoute } from '@/app/api/_lib/route';
import { createChat, listChats } from '@/lib/chats/service';
import { json, readJson } from '@/lib/http/json';
import { modelCatalog, rateLimits } from '@/lib/runtime';

export const GET = apiRoute(async ({ request, db, caller }) => {
  const url = new URL(request.url);
  const page = await listChats(db, caller, {
    limit: url.searchParams.get('limit'),
    cursor: url.searchParams.get('cursor'),
  });
  return json(page);
});

export const POST = apiRoute(async ({ request, db, caller }) => {
  const deps = { db, models: modelCatalog(), rateLimits: rateLimits() };
  const chat = await createChat(deps, caller, await readJson(request));
  return json(chat, 201, { location: `/api/chats/${chat.id}` });
});

import { apiRoute } from '@/app/api/_lib/route';
import { listChatModels } from '@/lib/chats/models';
import { json } from '@/lib/http/json';
import { modelChoice } from '@/lib/runtime';

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ db, caller, params }) =>
  json(await listChatModels(db, modelChoice(), caller, params.id)),
);

import { apiRoute } from '@/app/api/_lib/route';
import { json } from '@/lib/http/json';
import { modelCatalog } from '@/lib/runtime';
import { listModels } from '@/lib/tenants/models';

export const GET = apiRoute(async ({ caller, db }) => json(await listModels(db, modelCatalog(), caller)));

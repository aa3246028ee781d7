import { apiRoute } from '@/app/api/_lib/route';
import { json } from '@/lib/http/json';
import { toModelView } from '@/lib/models/catalog';
import { authorize } from '@/lib/policy';
import { modelCatalog } from '@/lib/runtime';

export const GET = apiRoute(async ({ caller }) => {
  authorize(caller, 'model.list');
  const models = modelCatalog();
  return json({ items: models.enabledModels().map(toModelView), default_model: models.defaultModel().id });
});

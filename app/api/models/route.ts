import { apiRoute } from '@/app/api/_lib/route';
import { json } from '@/lib/http/json';
import { defaultModel, enabledModels, toModelView } from '@/lib/models/catalog';
import { authorize } from '@/lib/policy';

export const GET = apiRoute(async ({ caller }) => {
  authorize(caller, 'model.list');
  return json({ items: enabledModels().map(toModelView), default_model: defaultModel().id });
});

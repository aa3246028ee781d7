import { json } from '@/lib/http/json';
import { defaultModel, enabledModels, toModelView } from '@/lib/models/catalog';
import { authorize } from '@/lib/policy';
import { apiRoute } from '../_lib/route';

export const GET = apiRoute(async ({ caller }) => {
  authorize(caller, 'model.list');
  return json({ items: enabledModels().map(toModelView), default_model: defaultModel().id });
});

import type { Queryable } from '@/lib/db';
import { type ModelCatalog, type ModelEntry, toModelView } from '@/lib/models/catalog';
import { authorize, type Caller } from '@/lib/policy';
import { readTenantSettings } from './settings';

/**
 * The model catalog as one tenant sees it: a model its admin did not enable counts as turned off,
 * exactly like one the deployment turned off (hidden from the picker, its chats cannot send until
 * they switch). Works on any part of the catalog a service was handed.
 */
export function restrictModels<C extends Partial<ModelCatalog>>(
  catalog: C,
  enabled: readonly string[] | null,
): C {
  if (!enabled) return catalog;
  const allowed = (m: ModelEntry | undefined): boolean => m !== undefined && enabled.includes(m.id);
  const base: Partial<ModelCatalog> = catalog;
  const { findEntry, findModel, enabledModels, defaultModel } = base;
  const restricted: Partial<ModelCatalog> = { ...base };
  if (findEntry) {
    restricted.findEntry = (id) => {
      const entry = findEntry(id);
      return entry && !allowed(entry) ? { ...entry, enabled: false } : entry;
    };
  }
  if (findModel) {
    restricted.findModel = (id) => {
      const model = findModel(id);
      return model && allowed(model) ? model : undefined;
    };
  }
  if (enabledModels) restricted.enabledModels = () => enabledModels().filter(allowed);
  if (defaultModel) {
    restricted.defaultModel = () => {
      const preferred = defaultModel();
      if (allowed(preferred)) return preferred;
      const first = findModel ? enabled.map((id) => findModel(id)).find((m) => m && allowed(m)) : undefined;
      return first ?? preferred;
    };
  }
  return restricted as C;
}

/** The catalog restricted to the models the tenant's admin enabled, read now. */
export async function tenantModels<C extends Partial<ModelCatalog>>(
  q: Queryable,
  catalog: C,
  tenantId: string,
): Promise<C> {
  const settings = await readTenantSettings(q, tenantId);
  return restrictModels(catalog, settings?.enabledModels ?? null);
}

/** `GET /api/models`: the models the caller's tenant may start a chat with, and its default. */
export async function listModels(q: Queryable, catalog: ModelCatalog, caller: Caller | null) {
  const scope = authorize(caller, 'model.list');
  const models = await tenantModels(q, catalog, scope.tenantId);
  return { items: models.enabledModels().map(toModelView), default_model: models.defaultModel().id };
}

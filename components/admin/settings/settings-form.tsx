'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import type { SettingsView } from '@/lib/admin/settings';
import { fieldErrors, useSaveSettings, useSettings } from './settings-queries';

const LIMITS = [
  { field: 'max_document_mb', label: 'Largest document', unit: 'MB' },
  { field: 'max_image_mb', label: 'Largest image', unit: 'MB' },
  { field: 'chat_max_documents', label: 'Documents per chat', unit: '' },
  { field: 'chat_max_upload_mb', label: 'Storage per chat', unit: 'MB' },
  { field: 'quota_user_mb', label: 'Storage per user', unit: 'MB' },
] as const;

const SWITCHES = [
  { field: 'uploads_enabled', label: 'Uploads' },
  { field: 'images_enabled', label: 'Images' },
  { field: 'file_search_enabled', label: 'File search' },
  { field: 'code_interpreter_enabled', label: 'Code interpreter' },
] as const;

type Draft = Record<string, string | boolean | string[]>;

function draftOf(view: SettingsView): Draft {
  const draft: Draft = {};
  for (const { field } of LIMITS) draft[field] = view[field].value === null ? '' : String(view[field].value);
  for (const { field } of SWITCHES) draft[field] = view[field].value;
  draft.allowed_types = view.allowed_types.value ?? view.allowed_types.ceiling;
  draft.enabled_models = view.enabled_models.value ?? view.enabled_models.ceiling.map((m) => m.id);
  return draft;
}

/** The request: a blank limit returns to the deployment's; a full list means "everything". */
function patchOf(draft: Draft, view: SettingsView): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const { field } of LIMITS) {
    const raw = String(draft[field]).trim();
    patch[field] = raw === '' ? null : Number(raw);
  }
  for (const { field } of SWITCHES) patch[field] = draft[field];
  const types = draft.allowed_types as string[];
  patch.allowed_types = types.length === view.allowed_types.ceiling.length ? null : types;
  const models = draft.enabled_models as string[];
  patch.enabled_models = models.length === view.enabled_models.ceiling.length ? null : models;
  return patch;
}

/** The tenant's limits, switches, types and models, each with the deployment's ceiling beside it. */
export function SettingsForm() {
  const settings = useSettings();
  if (settings.isPending) return <p>Loading settings…</p>;
  if (settings.isError) return <p role="alert">The settings could not be loaded: {settings.error.message}</p>;
  return <LoadedForm view={settings.data} />;
}

function LoadedForm({ view }: { view: SettingsView }) {
  const save = useSaveSettings();
  const [draft, setDraft] = useState<Draft>(() => draftOf(view));
  const errors = fieldErrors(save.error);
  const set = (field: string, value: Draft[string]) => setDraft((d) => ({ ...d, [field]: value }));
  const toggle = (field: 'allowed_types' | 'enabled_models', item: string, on: boolean) =>
    set(
      field,
      on ? [...(draft[field] as string[]), item] : (draft[field] as string[]).filter((x) => x !== item),
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(patchOf(draft, view));
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-8" aria-label="Organisation settings">
      <fieldset className="flex flex-col gap-4">
        <legend className="mb-2 text-base font-semibold">Limits</legend>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Leave a field empty to use the deployment’s limit. You can tighten a limit, never exceed it.
        </p>
        {LIMITS.map(({ field, label, unit }) => (
          <TextField
            key={field}
            label={unit ? `${label} (${unit})` : label}
            name={field}
            inputMode="numeric"
            value={String(draft[field])}
            onChange={(e) => set(field, e.target.value)}
            placeholder={String(view[field].ceiling)}
            hint={`Deployment ceiling: ${view[field].ceiling}${unit ? ` ${unit}` : ''}. In effect: ${view[field].effective}${unit ? ` ${unit}` : ''}.`}
            error={errors[field]}
          />
        ))}
        <p className="text-sm">
          Organisation storage quota: {view.tenant_quota_mb.value} MB (set by the deployment).
        </p>
      </fieldset>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-base font-semibold">Switches</legend>
        {SWITCHES.map(({ field, label }) => (
          <label key={field} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={draft[field] as boolean}
              onChange={(e) => set(field, e.target.checked)}
            />
            {label} enabled
          </label>
        ))}
      </fieldset>

      <CheckList
        legend="Allowed file types"
        items={view.allowed_types.ceiling.map((mime) => ({ id: mime, label: mime }))}
        chosen={draft.allowed_types as string[]}
        onToggle={(item, on) => toggle('allowed_types', item, on)}
        error={errors.allowed_types}
      />
      <CheckList
        legend="Enabled models"
        items={view.enabled_models.ceiling.map((m) => ({ id: m.id, label: m.display_name }))}
        chosen={draft.enabled_models as string[]}
        onToggle={(item, on) => toggle('enabled_models', item, on)}
        error={errors.enabled_models}
      />

      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.isPending}>
          Save settings
        </Button>
        <p role="status" className="text-sm">
          {save.isSuccess ? 'Settings saved.' : save.isError ? `Not saved: ${save.error.message}` : ''}
        </p>
      </div>
    </form>
  );
}

function CheckList(props: {
  legend: string;
  items: { id: string; label: string }[];
  chosen: string[];
  onToggle: (id: string, on: boolean) => void;
  error?: string;
}) {
  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="mb-2 text-base font-semibold">{props.legend}</legend>
      <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
        {props.items.map((item) => (
          <label key={item.id} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={props.chosen.includes(item.id)}
              onChange={(e) => props.onToggle(item.id, e.target.checked)}
            />
            {item.label}
          </label>
        ))}
      </div>
      {props.error && <p className="text-sm text-red-700 dark:text-red-400">{props.error}</p>}
    </fieldset>
  );
}

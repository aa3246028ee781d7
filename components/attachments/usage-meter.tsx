import type { UploadLimits } from './attachment-queries';
import { formatBytes } from './file-format';

function Meter({ label, used, limit, text }: { label: string; used: number; limit: number; text: string }) {
  const share = limit > 0 ? Math.min(1, used / limit) : 1;
  const tone =
    share >= 1
      ? 'bg-red-600 dark:bg-red-400'
      : share >= 0.8
        ? 'bg-amber-500'
        : 'bg-blue-600 dark:bg-blue-400';
  return (
    <div>
      <div className="flex justify-between gap-2 text-xs">
        <span className="font-medium">{label}</span>
        <span className="text-zinc-600 dark:text-zinc-400">{text}</span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a native <meter> cannot be styled alike across browsers and schemes. */}
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={text}
        className="mt-1 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
      >
        <div className={`h-full rounded-full ${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

/**
 * What the chat holds against its limits. The quotas span chats, so they are a line of text, and
 * the organisation's only when it is tighter than the user's own.
 */
export function UsageMeter({ limits }: { limits: UploadLimits }) {
  const { documents, bytes } = limits.chat;
  const { user, tenant } = limits.quotas;
  return (
    <div className="flex flex-col gap-3">
      <Meter
        label="Documents"
        used={documents.used}
        limit={documents.limit}
        text={`${documents.used} of ${documents.limit}`}
      />
      <Meter
        label="Storage"
        used={bytes.used}
        limit={bytes.limit}
        text={`${formatBytes(bytes.used)} of ${formatBytes(bytes.limit)}`}
      />
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Your files in all chats: {formatBytes(user.used)} of {formatBytes(user.limit)}.
        {tenant.remaining < user.remaining &&
          ` Your organisation has ${formatBytes(tenant.remaining)} left of ${formatBytes(tenant.limit)}.`}
      </p>
    </div>
  );
}

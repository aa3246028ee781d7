'use client';

import { useEffect, useState } from 'react';
import { type DisplayStatus, statusLabel } from './attachment-status';

const tones: Record<DisplayStatus['state'], string> = {
  refused: 'text-red-700 dark:text-red-400',
  failed: 'text-red-700 dark:text-red-400',
  waiting: 'text-amber-800 dark:text-amber-300',
  queued: 'text-zinc-600 dark:text-zinc-400',
  uploading: 'text-zinc-600 dark:text-zinc-400',
  paused: 'text-zinc-600 dark:text-zinc-400',
  interrupted: 'text-amber-800 dark:text-amber-300',
  processing: 'text-zinc-600 dark:text-zinc-400',
  ready: 'text-green-700 dark:text-green-400',
  locked: 'text-zinc-600 dark:text-zinc-400',
};

/** Re-renders every second while a retry counts down. */
function useNow(ticking: boolean) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

export function StatusLine({ status, prefix }: { status: DisplayStatus; prefix?: string }) {
  const now = useNow(status.state === 'waiting');
  return (
    <p className={`text-xs break-words ${tones[status.state]}`}>
      {prefix && <span className="text-zinc-600 dark:text-zinc-400">{prefix} · </span>}
      {statusLabel(status, now)}
    </p>
  );
}

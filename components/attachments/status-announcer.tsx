'use client';

import { useEffect, useRef, useState } from 'react';
import { announcement, type DisplayStatus } from './attachment-status';

interface Announced {
  key: string;
  filename: string;
  status: DisplayStatus;
}

/** States a file can first appear in because the user just added it; others were restored, not news. */
const FRESH = new Set<DisplayStatus['state']>(['refused', 'queued', 'uploading']);

/**
 * A polite live region that speaks each file's status changes (not every percent of progress) and
 * removals, so screen-reader users hear what sighted users see on the chips.
 */
export function StatusAnnouncer({ files }: { files: Announced[] }) {
  const previous = useRef(new Map<string, Announced>());
  const [message, setMessage] = useState('');

  useEffect(() => {
    const lines: string[] = [];
    for (const file of files) {
      const before = previous.current.get(file.key);
      if (before?.status.state === file.status.state) continue;
      if (!before && !FRESH.has(file.status.state)) continue;
      const line = announcement(file.filename, file.status);
      if (line) lines.push(line);
    }
    const keys = new Set(files.map((file) => file.key));
    for (const [key, before] of previous.current)
      if (!keys.has(key)) lines.push(`${before.filename} removed.`);
    previous.current = new Map(files.map((file) => [file.key, file]));
    if (lines.length) setMessage(lines.join(' '));
  }, [files]);

  return (
    <div role="status" aria-live="polite" className="sr-only">
      {message}
    </div>
  );
}

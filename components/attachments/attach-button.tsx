'use client';

import { type ChangeEvent, useRef } from 'react';
import { Button } from '@/components/ui/button';
import { PaperclipIcon } from './icons';

/** A real button that opens the file picker, so it works from the keyboard and shows focus. */
export function AttachButton({ accept, onFiles }: { accept?: string; onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const picked = (event: ChangeEvent<HTMLInputElement>) => {
    onFiles([...(event.target.files ?? [])]);
    // Picking the same file again (say, after removing it) must fire another change.
    event.target.value = '';
  };
  return (
    <>
      <Button variant="secondary" onClick={() => input.current?.click()}>
        <PaperclipIcon />
        <span className="sr-only sm:not-sr-only">Attach files</span>
      </Button>
      <input ref={input} type="file" multiple hidden accept={accept} onChange={picked} />
    </>
  );
}

'use client';

import { type ReactNode, useEffect, useRef } from 'react';

const FRAME =
  'm-auto w-[calc(100%-2rem)] rounded-lg bg-white text-zinc-900 shadow-xl dark:bg-zinc-900 dark:text-zinc-100 dark:ring-1 dark:ring-zinc-700';

/**
 * A modal on the native <dialog>: focus trap, Escape and the backdrop come with it. Shown while
 * `open`; `onClose` runs for Escape and for every other way it closes.
 */
export function Modal({
  open,
  labelledBy,
  onClose,
  className,
  children,
}: {
  open: boolean;
  labelledBy: string;
  onClose: () => void;
  /** Size and padding; the frame is shared. */
  className: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (open && !dialog?.open) dialog?.showModal();
    if (!open && dialog?.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={labelledBy} onClose={onClose} className={`${FRAME} ${className}`}>
      {children}
    </dialog>
  );
}

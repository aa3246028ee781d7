'use client';

import { type ReactNode, useId } from 'react';
import { Button } from './button';
import { Modal } from './modal';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error?: string;
  onConfirm: () => void;
  /** Called for Cancel, Escape, and when the dialog is closed after confirming. */
  onClose: () => void;
}

/** A modal confirmation for destructive actions, on the native <dialog> (focus trap and Escape included). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const titleId = useId();

  return (
    <Modal open={open} labelledBy={titleId} onClose={onClose} className="max-w-md p-6">
      <h2 id={titleId} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-2 text-sm break-words text-zinc-600 dark:text-zinc-300">{children}</div>
      {error && (
        <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <div className="mt-6 flex justify-end gap-2">
        {/* Cancel takes the focus: Enter on a destructive dialog should not destroy. */}
        <Button variant="secondary" onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button variant="danger" onClick={onConfirm} disabled={pending}>
          {confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}

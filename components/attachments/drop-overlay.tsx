import { UploadIcon } from './icons';

/** Shown over the page while files are dragged over it; the window, not the overlay, takes the drop. */
export function DropOverlay({ description }: { description?: string }) {
  return (
    <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-blue-50/85 p-4 dark:bg-zinc-950/85">
      <div className="flex max-w-md flex-col items-center gap-2 rounded-xl border-2 border-dashed border-blue-500 bg-white px-8 py-10 text-center shadow-lg dark:border-blue-400 dark:bg-zinc-900">
        <span className="text-blue-600 dark:text-blue-400">
          <UploadIcon />
        </span>
        <p className="text-lg font-semibold">Drop files to attach them</p>
        {description && <p className="text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      </div>
    </div>
  );
}

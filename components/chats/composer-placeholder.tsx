import { Button } from '../ui/button';

/** Where messages will be written; disabled until chatting arrives. */
export function ComposerPlaceholder() {
  return (
    <div className="border-t border-zinc-200 p-3 md:p-4 dark:border-zinc-800">
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <textarea
          aria-label="Message"
          placeholder="Messaging is coming soon"
          rows={1}
          disabled
          className="min-w-0 flex-1 resize-none rounded-md border border-zinc-300 bg-zinc-50 px-3 py-2 text-sm disabled:cursor-not-allowed dark:border-zinc-700 dark:bg-zinc-900"
        />
        <Button variant="secondary" disabled>
          Send
        </Button>
      </div>
    </div>
  );
}

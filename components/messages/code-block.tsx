import { CopyButton } from '@/components/ui/copy-button';

/** A fenced code block: its language (when given), a Copy button, and the code scrolling sideways. */
export function CodeBlock({ code, language }: { code: string; language?: string }) {
  return (
    <div className="my-3 overflow-hidden rounded-md border border-zinc-200 bg-zinc-50 first:mt-0 last:mb-0 dark:border-zinc-700 dark:bg-zinc-950">
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 py-1 pr-1 pl-3 dark:border-zinc-700">
        <span className="truncate font-mono text-xs text-zinc-600 dark:text-zinc-400">
          {language || 'code'}
        </span>
        <CopyButton text={code} label={language ? `Copy ${language} code` : 'Copy code'} />
      </div>
      {/* Scrolls sideways; browsers make such a box keyboard-focusable themselves. */}
      <pre className="overflow-x-auto p-3 text-[13px] leading-relaxed">
        <code className="font-mono">{code}</code>
      </pre>
    </div>
  );
}

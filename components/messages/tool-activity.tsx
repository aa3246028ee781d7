import type { ToolActivity } from './live-turn';

const labels = {
  file_search: { running: 'Searching your files…', done: 'Searched your files' },
  code_interpreter: { running: 'Running code…', done: 'Ran code' },
} as const;

/** What the model did on the way to its answer: one short line per tool run; code and output fold out. */
export function ToolActivityList({ tools }: { tools: ToolActivity[] }) {
  if (tools.length === 0) return null;
  return (
    <ul aria-label="Tools used" className="mb-2 flex flex-col gap-1">
      {tools.map((tool, index) => {
        const label = labels[tool.name][tool.done ? 'done' : 'running'];
        const details = tool.code || tool.output;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: tool runs are only ever appended.
          <li key={index} className="text-xs text-zinc-600 dark:text-zinc-400">
            {details ? (
              <details className="group">
                <summary className="w-fit cursor-pointer rounded select-none hover:text-zinc-900 dark:hover:text-zinc-200">
                  <ToolLabel running={!tool.done} label={label} />
                  <span className="sr-only"> (show the code and its output)</span>
                </summary>
                <div className="mt-1 flex flex-col gap-1">
                  {tool.code && <ToolText title="Code" text={tool.code} />}
                  {tool.output && <ToolText title="Output" text={tool.output} />}
                </div>
              </details>
            ) : (
              <ToolLabel running={!tool.done} label={label} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ToolLabel({ running, label }: { running: boolean; label: string }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span
        aria-hidden="true"
        className={`size-1.5 rounded-full ${running ? 'bg-blue-500 motion-safe:animate-pulse' : 'bg-zinc-400'}`}
      />
      {label}
    </span>
  );
}

function ToolText({ title, text }: { title: string; text: string }) {
  return (
    <div>
      <p className="font-medium">{title}</p>
      <pre className="max-h-64 overflow-auto rounded-md bg-zinc-100 p-2 font-mono text-[12px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
        {text}
      </pre>
    </div>
  );
}

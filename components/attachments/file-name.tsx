import { splitForTruncation } from './file-format';

/**
 * A file name cut in the middle when it does not fit, so the extension (what users scan for)
 * stays visible. The whole name stays in the text, so screen readers and search see all of it.
 */
export function FileName({ name, className = '' }: { name: string; className?: string }) {
  const { head, tail } = splitForTruncation(name);
  return (
    <span className={`flex min-w-0 ${className}`} title={name}>
      <span className="truncate">{head}</span>
      <span className="shrink-0 whitespace-pre">{tail}</span>
    </span>
  );
}

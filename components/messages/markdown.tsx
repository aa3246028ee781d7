import { memo } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './code-block';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** Only absolute http(s) and mailto URLs survive; anything else (javascript:, data:, relative) is dropped. */
export function safeUrl(url: string): string {
  try {
    return SAFE_PROTOCOLS.has(new URL(url.trim()).protocol) ? url.trim() : '';
  } catch {
    return '';
  }
}

type HastNode = NonNullable<ExtraProps['node']>['children'][number];

const textOf = (node: HastNode): string =>
  node.type === 'text' ? node.value : node.type === 'element' ? node.children.map(textOf).join('') : '';

const headingClass = {
  1: 'mt-5 mb-2 text-xl font-semibold first:mt-0',
  2: 'mt-5 mb-2 text-lg font-semibold first:mt-0',
  3: 'mt-4 mb-2 text-base font-semibold first:mt-0',
  4: 'mt-4 mb-1 text-sm font-semibold first:mt-0',
} as const;

/*
 * The page's own headings are h1 (the chat), h2 (panels) and h3 (each message, for screen readers):
 * an answer's headings sit below them.
 */
const components: Components = {
  h1: ({ node: _, ...props }) => <h4 className={headingClass[1]} {...props} />,
  h2: ({ node: _, ...props }) => <h5 className={headingClass[2]} {...props} />,
  h3: ({ node: _, ...props }) => <h6 className={headingClass[3]} {...props} />,
  h4: ({ node: _, ...props }) => <h6 className={headingClass[4]} {...props} />,
  h5: ({ node: _, ...props }) => <h6 className={headingClass[4]} {...props} />,
  h6: ({ node: _, ...props }) => <h6 className={headingClass[4]} {...props} />,
  p: ({ node: _, ...props }) => <p className="my-2 first:mt-0 last:mb-0" {...props} />,
  ul: ({ node: _, ...props }) => <ul className="my-2 list-disc pl-6 first:mt-0 last:mb-0" {...props} />,
  ol: ({ node: _, ...props }) => <ol className="my-2 list-decimal pl-6 first:mt-0 last:mb-0" {...props} />,
  li: ({ node: _, ...props }) => <li className="my-1 [&>p]:my-1" {...props} />,
  blockquote: ({ node: _, ...props }) => (
    <blockquote
      className="my-2 border-l-4 border-zinc-300 pl-3 text-zinc-700 dark:border-zinc-600 dark:text-zinc-300"
      {...props}
    />
  ),
  hr: () => <hr className="my-4 border-zinc-200 dark:border-zinc-700" />,
  a: ({ node: _, href, children }) =>
    href ? (
      <a
        href={href}
        target="_blank"
        rel="noopener noreferrer"
        className="text-blue-700 underline underline-offset-2 hover:text-blue-900 dark:text-blue-400 dark:hover:text-blue-300"
      >
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  // An answer's images would be fetched from wherever the model points: shown as a link instead.
  img: ({ src, alt }) => {
    const label = `Image${alt ? `: ${alt}` : ''}`;
    return typeof src === 'string' && src ? (
      <a
        href={src}
        target="_blank"
        rel="noopener noreferrer"
        className="text-blue-700 underline underline-offset-2 dark:text-blue-400"
      >
        [{label}]
      </a>
    ) : (
      <span>[{label}]</span>
    );
  },
  pre: ({ node }) => {
    const code = node?.children.find((child) => child.type === 'element' && child.tagName === 'code');
    const classes = code?.type === 'element' ? code.properties.className : undefined;
    const language = Array.isArray(classes)
      ? classes
          .map(String)
          .find((name) => name.startsWith('language-'))
          ?.slice('language-'.length)
      : undefined;
    return <CodeBlock code={code ? textOf(code).replace(/\n$/, '') : ''} language={language} />;
  },
  // Only inline code reaches here: blocks are drawn whole by `pre`.
  code: ({ node: _, ...props }) => (
    <code
      className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[0.9em] break-words dark:bg-zinc-800"
      {...props}
    />
  ),
  table: ({ node: _, ...props }) => (
    <div className="my-3 max-w-full overflow-x-auto first:mt-0 last:mb-0">
      <table className="border-collapse text-sm" {...props} />
    </div>
  ),
  th: ({ node: _, ...props }) => (
    <th
      className="border border-zinc-300 bg-zinc-100 px-2 py-1 text-left font-semibold dark:border-zinc-700 dark:bg-zinc-800"
      {...props}
    />
  ),
  td: ({ node: _, ...props }) => (
    <td className="border border-zinc-300 px-2 py-1 align-top dark:border-zinc-700" {...props} />
  ),
};

const remarkPlugins = [remarkGfm];

/**
 * An answer's markdown (GitHub flavour). Raw HTML is never rendered: it shows as the text it is.
 * Links open in a new tab and only to http(s) and mailto; images are not loaded.
 */
export const Markdown = memo(function Markdown({ content }: { content: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components} urlTransform={safeUrl}>
      {content}
    </ReactMarkdown>
  );
});

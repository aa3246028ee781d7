/** What the keyless offline model does, and how a real model is set up; short, it sits by the composer. */
export function OfflineHint() {
  return (
    <details className="text-xs text-zinc-600 dark:text-zinc-400">
      <summary className="w-fit cursor-pointer rounded select-none hover:text-zinc-900 dark:hover:text-zinc-200">
        Offline mode: answers quote this chat&apos;s documents
      </summary>
      <p className="mt-1 max-w-prose">
        No language model is set up, so each answer is made of the passages of the chat&apos;s documents that
        best match your message, with the files cited. Images can be attached too: they are kept with the
        message and shown as previews, but the offline mode cannot describe them. To chat with a model, the
        server needs a model configured: set <code className="font-mono">OPENAI_API_KEY</code> (or the Azure
        OpenAI settings) as described under &ldquo;Configuration&rdquo; in the README, then start a new chat
        with that model.
      </p>
    </details>
  );
}

import type { ChatModel, ModelEvent, ModelInput } from './ports';

const HOW_TO_CONFIGURE =
  '_This chat has no language model (Offline). To get written answers, set `OPENAI_API_KEY` — or `OPENAI_COMPATIBLE_MODEL` with `OPENAI_BASE_URL` for Ollama, vLLM or LM Studio — and start a new chat with that model._';

/** The answer, in pieces a client renders as they come: quoting is fast, but it is still a stream. */
function answer(input: ModelInput): string {
  const { passages } = input;
  if (passages === undefined) {
    return `I can only search the documents attached to this chat, and it has none I can search yet. Attach a PDF, text or Office document and ask again.\n\n${HOW_TO_CONFIGURE}`;
  }
  if (passages.length === 0) {
    return `None of this chat's documents has a passage matching your question. Try other words, or the terms the document itself uses.\n\n${HOW_TO_CONFIGURE}`;
  }
  // A quote is one line: the excerpt folds a passage's whitespace.
  const quotes = passages.map((p, i) => `> ${p.quote}\n>\n> — **${p.filename}** [${i + 1}]`);
  const intro =
    passages.length === 1
      ? 'The passage of your documents that best matches your question:'
      : `The ${passages.length} passages of your documents that best match your question:`;
  return `${intro}\n\n${quotes.join('\n\n')}\n\n${HOW_TO_CONFIGURE}`;
}

/**
 * The keyless default: no language model, and it says so. It answers with the passages the turn
 * retrieved from the chat's documents, quoted; the turn cites the same passages.
 */
export function createOfflineModel(): ChatModel {
  return {
    async *stream(input, signal): AsyncGenerator<ModelEvent> {
      const text = answer(input);
      // Paragraph by paragraph: each arrives as a delta, as a model's tokens would.
      for (const piece of text.split(/(?<=\n\n)/)) {
        if (signal.aborted) return;
        yield { type: 'text', delta: piece };
      }
      // No model, no tokens.
      yield { type: 'usage', inputTokens: 0, outputTokens: 0 };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

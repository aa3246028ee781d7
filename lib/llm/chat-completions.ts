import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions/completions';
import { guarded, numberedPassages } from './openai-stream';
import { type ChatModel, type FinishReason, ModelError, type ModelEvent, type ModelInput } from './ports';

function systemPrompt({ instructions, passages }: ModelInput): string {
  if (!passages?.length) return instructions;
  return `${instructions}\n\nPassages from the chat's documents follow, numbered. Base your answer on them and cite the ones you use by their number, like [1].\n\n${numberedPassages(passages)}`;
}

function chatRequest(input: ModelInput): ChatCompletionCreateParamsStreaming {
  return {
    model: input.model.providerModel,
    messages: [
      { role: 'system', content: systemPrompt(input) },
      ...input.history.map(({ role, content }) => ({ role, content })),
      // Text only: compatible models are configured without vision, so a turn never has images here.
      { role: 'user', content: input.user.text },
    ],
    stream: true,
    stream_options: { include_usage: true },
    // OpenAI's newer `max_completion_tokens` is not read by every version of Ollama, vLLM, LM Studio
    // or llama.cpp; the older `max_tokens` is read by all of them.
    max_tokens: input.maxOutputTokens,
  };
}

function finishReason(reason: ChatCompletionChunk.Choice['finish_reason']): FinishReason {
  return reason === 'length' || reason === 'content_filter' ? reason : 'stop';
}

/** Any OpenAI-compatible server (Ollama, vLLM, LM Studio), through streamed Chat Completions; no tools. */
export function createChatCompletionsModel(client: OpenAI): ChatModel {
  return {
    async *stream(input, signal): AsyncGenerator<ModelEvent> {
      const chunks = guarded(() => client.chat.completions.create(chatRequest(input), { signal }), signal);
      let finish: FinishReason | undefined;
      let usage: ChatCompletionChunk['usage'];
      for await (const chunk of chunks) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        yield delta ? { type: 'text', delta } : { type: 'progress' };
        if (choice?.finish_reason) finish = finishReason(choice.finish_reason);
        // The last one counts: some servers (vLLM with continuous usage stats) send running totals.
        usage = chunk.usage ?? usage;
      }
      if (signal.aborted) return;
      if (!finish) throw new ModelError('provider_error', 'The stream ended without a finish reason.');
      if (usage) {
        yield { type: 'usage', inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
      }
      yield { type: 'finish', reason: finish };
    },
  };
}

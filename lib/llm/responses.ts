import type OpenAI from 'openai';
import type {
  Response,
  ResponseCreateParamsStreaming,
  ResponseOutputItem,
  Tool,
} from 'openai/resources/responses/responses';
import { codeFor, guarded, numberedPassages } from './openai-stream';
import { type ChatModel, ModelError, type ModelEvent, type ModelInput } from './ports';

function responsesRequest(input: ModelInput): ResponseCreateParamsStreaming {
  const { user, passages, fileSearch, codeInterpreter } = input;
  const text = passages?.length
    ? `${user.text}\n\nRelevant passages:\n\n${numberedPassages(passages)}`
    : user.text;
  const tools: Tool[] = [];
  if (fileSearch) {
    tools.push({
      type: 'file_search',
      vector_store_ids: [fileSearch.vectorStoreId],
      max_num_results: fileSearch.maxResults,
      filters: { type: 'in', key: 'attachment_id', value: fileSearch.attachmentIds },
    });
  }
  if (codeInterpreter) {
    tools.push({ type: 'code_interpreter', container: { type: 'auto', file_ids: codeInterpreter.fileIds } });
  }
  return {
    model: input.model.providerModel,
    instructions: input.instructions,
    input: [
      ...input.history.map(({ role, content }) => ({ role, content })),
      {
        role: 'user',
        content: [
          { type: 'input_text', text },
          ...user.imageFileIds.map((file_id) => ({
            type: 'input_image' as const,
            file_id,
            detail: 'auto' as const,
          })),
        ],
      },
    ],
    ...(tools.length ? { tools } : {}),
    // Without it a code interpreter call comes back with `outputs: null`: no logs to show.
    ...(codeInterpreter ? { include: ['code_interpreter_call.outputs' as const] } : {}),
    max_output_tokens: input.maxOutputTokens,
    // The history is ours and resent every turn; nothing needs to be kept at the provider.
    store: false,
    stream: true,
  };
}

function citationOf(annotation: unknown): ModelEvent | undefined {
  if (typeof annotation !== 'object' || annotation === null) return undefined;
  const { type, file_id, filename } = annotation as Record<string, unknown>;
  if (type !== 'file_citation' || typeof file_id !== 'string') return undefined;
  return {
    type: 'file_citation',
    providerFileId: file_id,
    filename: typeof filename === 'string' ? filename : undefined,
  };
}

function completedTool(item: ResponseOutputItem): ModelEvent | undefined {
  if (item.type === 'file_search_call') return { type: 'tool', name: 'file_search', phase: 'completed' };
  if (item.type !== 'code_interpreter_call') return undefined;
  const logs = item.outputs?.flatMap((output) => (output.type === 'logs' ? [output.logs] : []));
  return {
    type: 'tool',
    name: 'code_interpreter',
    phase: 'completed',
    code: item.code ?? undefined,
    output: logs?.length ? logs.join('\n') : undefined,
  };
}

function* ending(response: Response): Generator<ModelEvent> {
  if (response.usage) {
    yield {
      type: 'usage',
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
    };
  }
  if (response.status === 'completed') {
    yield { type: 'finish', reason: 'stop' };
  } else {
    yield {
      type: 'finish',
      reason: response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length',
    };
  }
}

/**
 * OpenAI and Azure, through the Responses API with hosted file_search and code_interpreter.
 *
 * The raw `responses.create({ stream: true })` iteration, not the SDK's `responses.stream()` helper:
 * the helper's async iterator buffers events as they arrive and, when an error or abort comes while
 * some are still queued (a consumer slower than the network), ends the iteration normally, leaving the
 * error only on `done()`. Its snapshot accumulator also throws on any event type SDK 6.49 does not
 * know, and this SDK is pinned (7.x needs Node 22), so a new event from the API would fail every turn.
 * We need no snapshot: the events carry everything we pass on.
 */
export function createResponsesModel(client: OpenAI): ChatModel {
  return {
    async *stream(input, signal): AsyncGenerator<ModelEvent> {
      const events = guarded(() => client.responses.create(responsesRequest(input), { signal }), signal);
      for await (const event of events) {
        switch (event.type) {
          case 'response.output_text.delta':
            if (event.delta) yield { type: 'text', delta: event.delta };
            break;
          case 'response.output_text.annotation.added': {
            const citation = citationOf(event.annotation);
            if (citation) yield citation;
            break;
          }
          case 'response.file_search_call.in_progress':
            yield { type: 'tool', name: 'file_search', phase: 'started' };
            break;
          case 'response.code_interpreter_call.in_progress':
            yield { type: 'tool', name: 'code_interpreter', phase: 'started' };
            break;
          case 'response.output_item.done': {
            const completed = completedTool(event.item);
            if (completed) yield completed;
            break;
          }
          case 'response.completed':
          case 'response.incomplete':
            yield* ending(event.response);
            return;
          case 'response.failed': {
            const error = event.response.error;
            throw new ModelError(codeFor(error?.code), `response failed: ${error?.code}: ${error?.message}`);
          }
          // The SDK throws the nested `{error: {…}}` form itself; this is the flat form of its types.
          case 'error':
            throw new ModelError(codeFor(event.code), `stream error: ${event.code}: ${event.message}`);
          // A reasoning model can think for minutes before its first word; its events say so.
          default:
            yield { type: 'progress' };
        }
      }
      if (!signal.aborted) {
        throw new ModelError('provider_error', 'The stream ended before the response did.');
      }
    },
  };
}

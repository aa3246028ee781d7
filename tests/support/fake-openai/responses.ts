import {
  type FileSearchHit,
  type FileSearchTool,
  isFileSearchTool,
  parseFileSearchTool,
  runFileSearch,
} from './file-search';
import { ApiError, type Context, isRecord, type JsonBody, type Router } from './http';
import type { ReplyDeps, ScriptedUsage } from './replies';
import {
  type Ending,
  estimateTokens,
  lastUserText,
  type PlannedTool,
  planReply,
  type ReplyPlan,
  STREAM_FAILURE,
  scriptedFailure,
  words,
} from './scenarios';
import type { Frame } from './sse';
import { type FakeState, newId, nowSeconds } from './state';

interface ResponseRequest {
  body: JsonBody;
  tools: unknown[];
  fileSearch?: FileSearchTool;
  codeInterpreter?: JsonBody;
  include: unknown[];
}

function parseRequest(body: JsonBody, state: FakeState): ResponseRequest {
  if (typeof body.model !== 'string' || !body.model) {
    throw new ApiError(400, "Missing required parameter: 'model'.", { param: 'model' });
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw new ApiError(400, "Missing required parameter: 'input'.", { param: 'input' });
  }
  const tools = body.tools ?? [];
  if (!Array.isArray(tools)) {
    throw new ApiError(400, "Invalid 'tools': expected an array.", { param: 'tools' });
  }
  const fileSearch = tools.find(isFileSearchTool);
  return {
    body,
    tools,
    fileSearch: fileSearch && parseFileSearchTool(fileSearch, state),
    codeInterpreter: tools.find((tool) => isRecord(tool) && tool.type === 'code_interpreter'),
    include: Array.isArray(body.include) ? body.include : [],
  };
}

/** Collects the stream's events, numbering them and freezing each payload as it is emitted. */
class EventLog {
  readonly frames: Frame[] = [];

  emit(type: string, payload: JsonBody, text = false) {
    const data = JSON.stringify({ type, sequence_number: this.frames.length, ...payload });
    this.frames.push({ event: type, data, text });
  }
}

interface Citation {
  type: 'file_citation';
  file_id: string;
  filename: string;
  /** Where in the text the citation belongs; it is announced right after the delta that reaches it. */
  index: number;
}

interface MessagePlan {
  chunks: string[];
  citations: Citation[];
}

const QUOTE_CHARS = 200;

/** Quotes the top hit and cites it after the file's name, so the annotation arrives between deltas. */
function quoteHit(hit: FileSearchHit): MessagePlan {
  const lead = `According to ${hit.filename}:`;
  const quote = Array.from(hit.text).slice(0, QUOTE_CHARS).join('');
  return {
    chunks: words(`${lead} "${quote}"`),
    citations: [{ type: 'file_citation', file_id: hit.file_id, filename: hit.filename, index: lead.length }],
  };
}

function emitFileSearchCall(
  log: EventLog,
  outputIndex: number,
  query: string,
  results: FileSearchHit[] | null,
) {
  const item = {
    id: newId('fs_'),
    type: 'file_search_call',
    status: 'in_progress',
    queries: [],
    results: null,
  };
  const at = { item_id: item.id, output_index: outputIndex };
  log.emit('response.output_item.added', { output_index: outputIndex, item });
  log.emit('response.file_search_call.in_progress', at);
  log.emit('response.file_search_call.searching', at);
  log.emit('response.file_search_call.completed', at);
  const done = { ...item, status: 'completed', queries: [query], results };
  log.emit('response.output_item.done', { output_index: outputIndex, item: done });
  return done;
}

const CODE_DELTA_CHARS = 8;

function emitCodeInterpreterCall(
  log: EventLog,
  outputIndex: number,
  call: Extract<PlannedTool, { type: 'code_interpreter' }>,
  request: ResponseRequest,
) {
  const container = request.codeInterpreter?.container;
  const item = {
    id: newId('ci_'),
    type: 'code_interpreter_call',
    status: 'in_progress',
    code: '',
    container_id: typeof container === 'string' ? container : newId('cntr_'),
    outputs: [],
  };
  const at = { item_id: item.id, output_index: outputIndex };
  log.emit('response.output_item.added', { output_index: outputIndex, item });
  log.emit('response.code_interpreter_call.in_progress', at);
  for (const delta of call.code.match(new RegExp(`[\\s\\S]{1,${CODE_DELTA_CHARS}}`, 'g')) ?? []) {
    log.emit('response.code_interpreter_call_code.delta', { ...at, delta });
  }
  log.emit('response.code_interpreter_call_code.done', { ...at, code: call.code });
  log.emit('response.code_interpreter_call.interpreting', at);
  log.emit('response.code_interpreter_call.completed', at);
  // Like the real API, outputs are only sent to callers that ask for them.
  const outputs = request.include.includes('code_interpreter_call.outputs')
    ? [{ type: 'logs', logs: call.logs }]
    : null;
  const done = { ...item, status: 'completed', code: call.code, outputs };
  log.emit('response.output_item.done', { output_index: outputIndex, item: done });
  return done;
}

/** Streams the message up to where the reply ends; returns it as the output item it became. */
function emitMessage(log: EventLog, outputIndex: number, message: MessagePlan, ending: Ending) {
  const item = { id: newId('msg_'), type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
  log.emit('response.output_item.added', { output_index: outputIndex, item });
  log.emit('response.content_part.added', {
    ...at,
    part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
  });
  const pending = [...message.citations].sort((a, b) => a.index - b.index);
  const annotations: Citation[] = [];
  let text = '';
  for (const delta of message.chunks.slice(0, ending.type === 'completed' ? undefined : ending.afterChunks)) {
    text += delta;
    log.emit('response.output_text.delta', { ...at, delta, logprobs: [] }, true);
    while (pending[0] && pending[0].index <= text.length) {
      const annotation = pending.shift() as Citation;
      log.emit('response.output_text.annotation.added', {
        ...at,
        annotation_index: annotations.length,
        annotation,
      });
      annotations.push(annotation);
    }
  }
  const part = { type: 'output_text', text, annotations, logprobs: [] };
  if (ending.type === 'failed') return { item: { ...item, content: [part] }, text };
  log.emit('response.output_text.done', { ...at, text, logprobs: [] });
  log.emit('response.content_part.done', { ...at, part });
  const status = ending.type === 'completed' ? 'completed' : 'incomplete';
  const done = { ...item, status, content: [part] };
  log.emit('response.output_item.done', { output_index: outputIndex, item: done });
  return { item: done, text };
}

function usageJson(body: JsonBody, outputText: string, scripted?: ScriptedUsage) {
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const input = scripted?.input_tokens ?? estimateTokens(instructions + JSON.stringify(body.input));
  const output = scripted?.output_tokens ?? estimateTokens(outputText);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** The events of one reply, and the response object its terminal event carries. */
function buildResponse(request: ResponseRequest, plan: ReplyPlan, state: FakeState) {
  const { body } = request;
  const id = newId('resp_');
  const createdAt = nowSeconds();
  const snapshot = (fields: JsonBody) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: request.tools,
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...fields,
  });
  const log = new EventLog();
  log.emit('response.created', { response: snapshot({}) });
  log.emit('response.in_progress', { response: snapshot({}) });

  const output: JsonBody[] = [];
  let message: MessagePlan = { chunks: plan.chunks, citations: [] };
  if (plan.tool?.type === 'file_search' && request.fileSearch) {
    const hits = runFileSearch(state, request.fileSearch, plan.tool.query);
    const results = request.include.includes('file_search_call.results') ? hits : null;
    output.push(emitFileSearchCall(log, output.length, plan.tool.query, results));
    if (hits[0]) message = quoteHit(hits[0]);
  }
  if (plan.tool?.type === 'code_interpreter') {
    output.push(emitCodeInterpreterCall(log, output.length, plan.tool, request));
  }
  const { item, text } = emitMessage(log, output.length, message, plan.ending);
  output.push(item);

  let terminal: JsonBody;
  if (plan.ending.type === 'failed') {
    log.emit('error', {
      error: { type: 'server_error', code: 'server_error', message: STREAM_FAILURE, param: null },
    });
    terminal = snapshot({
      status: 'failed',
      error: { code: 'server_error', message: STREAM_FAILURE },
      output,
    });
    log.emit('response.failed', { response: terminal });
  } else {
    const usage = usageJson(body, text, plan.usage);
    const incomplete = plan.ending.type === 'incomplete';
    terminal = incomplete
      ? snapshot({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output, usage })
      : snapshot({ status: 'completed', output, usage });
    log.emit(incomplete ? 'response.incomplete' : 'response.completed', { response: terminal });
  }
  return { frames: log.frames, terminal };
}

async function createResponse(ctx: Context, { replies, sendStream }: ReplyDeps) {
  const body = await ctx.json();
  const request = parseRequest(body, ctx.state);
  const input =
    typeof body.input === 'string' ? body.input : lastUserText(body.input as unknown[], 'input_text');
  const plan = planReply(input, {
    script: replies.next(),
    pace: replies.pace,
    tools: {
      fileSearch: request.fileSearch !== undefined,
      codeInterpreter: request.codeInterpreter !== undefined,
    },
  });
  if (plan.rejection) throw plan.rejection;
  const { frames, terminal } = buildResponse(request, plan, ctx.state);
  if (body.stream === true) return sendStream(ctx, frames, plan.delayMs);
  if (terminal.status === 'failed') throw scriptedFailure(500, 'server_error', STREAM_FAILURE);
  return terminal;
}

export function registerResponses(router: Router, deps: ReplyDeps) {
  router.add('POST', '/responses', 'responses.create', (ctx) => createResponse(ctx, deps));
}

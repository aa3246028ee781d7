import { ApiError, type Context, isRecord, type JsonBody, type Router } from './http';
import type { ReplyDeps, ScriptedUsage } from './replies';
import { estimateTokens, lastUserText, planReply, STREAM_FAILURE, scriptedFailure } from './scenarios';
import type { Frame } from './sse';
import { newId, nowSeconds } from './state';

function usageJson(messages: unknown[], answer: string, scripted?: ScriptedUsage) {
  const prompt = scripted?.input_tokens ?? estimateTokens(JSON.stringify(messages));
  const completion = scripted?.output_tokens ?? estimateTokens(answer);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

const data = (payload: unknown, text = false): Frame => ({ data: JSON.stringify(payload), text });

async function createChatCompletion(ctx: Context, { replies, sendStream }: ReplyDeps) {
  const body = await ctx.json();
  const { model, messages } = body;
  if (typeof model !== 'string' || !model) {
    throw new ApiError(400, "Missing required parameter: 'model'.", { param: 'model' });
  }
  if (!Array.isArray(messages) || !messages.length) {
    throw new ApiError(400, "Missing required parameter: 'messages'.", { param: 'messages' });
  }
  const plan = planReply(lastUserText(messages, 'text'), {
    script: replies.next(),
    pace: replies.pace,
    tools: { fileSearch: false, codeInterpreter: false },
  });
  if (plan.rejection) throw plan.rejection;
  const { ending } = plan;
  const deltas = plan.chunks.slice(0, ending.type === 'completed' ? undefined : ending.afterChunks);
  const answer = deltas.join('');
  const finishReason = ending.type === 'incomplete' ? 'length' : 'stop';
  const usage = usageJson(messages, answer, plan.usage);
  const id = newId('chatcmpl-');
  const created = nowSeconds();

  if (body.stream !== true) {
    if (ending.type === 'failed') throw scriptedFailure(500, 'server_error', STREAM_FAILURE);
    return {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer, refusal: null },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
    };
  }

  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  // With include_usage the real API sends `usage: null` on every chunk before the last.
  const chunk = (delta: JsonBody, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const frames = [
    data(chunk({ role: 'assistant', content: '' })),
    ...deltas.map((content) => data(chunk({ content }), true)),
  ];
  if (ending.type === 'failed') {
    frames.push(
      data({ error: { message: STREAM_FAILURE, type: 'server_error', param: null, code: 'server_error' } }),
    );
  } else {
    frames.push(data(chunk({}, finishReason)));
    if (includeUsage) frames.push(data({ ...chunk({}), choices: [], usage }));
    frames.push({ data: '[DONE]', text: false });
  }
  return sendStream(ctx, frames, plan.delayMs);
}

export function registerChatCompletions(router: Router, deps: ReplyDeps) {
  router.add('POST', '/chat/completions', 'chat.completions.create', (ctx) =>
    createChatCompletion(ctx, deps),
  );
}

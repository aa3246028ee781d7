import { and, eq, inArray, isNull } from 'drizzle-orm';
import { crashPoint } from '@/lib/crash-point';
import type { Db } from '@/lib/db';
import { attachments, type ChatTurn, type StoredCitation, type StoredToolCall } from '@/lib/db/schema';
import { trackInFlight } from '@/lib/lifecycle';
import { type ChatModel, type FinishReason, ModelError, type ModelInput } from '@/lib/llm/ports';
import { errorFields, log } from '@/lib/log';
import type { AbortTrigger, StreamLabels, StreamMetrics } from '@/lib/metrics';
import type { ModelEntry } from '@/lib/models/catalog';
import {
  encodeEvent,
  KEEP_ALIVE,
  STREAM_ERROR_MESSAGES,
  type StreamErrorCode,
  type TurnEvent,
} from './events';
import { registerStream } from './local-streams';
import type { TurnPlan } from './plan';
import { cancelRequested, finishTurn, type TurnOutcome, touchTurn } from './store';

export interface StreamSettings {
  /** `ping` events before the first content, keep-alive comments after, so proxies keep the stream open. */
  pingIntervalMs: number;
  /** How often a live stream tells the orphan reaper it is alive. */
  heartbeatMs: number;
  /** A model silent this long is given up on as `provider_timeout`. */
  idleTimeoutMs: number;
  /** How often a stream reads whether another process asked it to stop. */
  cancelPollMs: number;
}

export interface RunnerDeps {
  db: Db;
  metrics: StreamMetrics;
  streams: StreamSettings;
}

export interface TurnStream {
  /** The SSE body. Cancelling it (the client went away) cancels the turn. */
  body: ReadableStream<Uint8Array>;
  /** Settles once the turn is stored as ended, whatever happened to the client. */
  finished: Promise<void>;
}

const MAX_TOOL_TEXT = 4_000;
const clip = (text: string | undefined) =>
  text === undefined || text.length <= MAX_TOOL_TEXT ? text : `${text.slice(0, MAX_TOOL_TEXT)}…`;

/** An SSE body that writes as it is told and notices when its reader goes away. */
function eventChannel(onCancel: () => void) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      open = false;
      onCancel();
    },
  });
  const write = (bytes: Uint8Array) => {
    if (!open) return;
    try {
      controller.enqueue(bytes);
    } catch {
      open = false;
    }
  };
  return {
    body,
    send: (event: TurnEvent) => write(encodeEvent(event)),
    write,
    close: () => {
      if (!open) return;
      open = false;
      controller.close();
    },
  };
}

/** Streams a stored, completed turn again: no model call, the same text, citations and usage. */
export function replayStream(events: TurnEvent[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const event of events) controller.enqueue(encodeEvent(event));
      controller.close();
    },
  });
}

/**
 * Runs a started turn: calls the model, relays its tokens as they come, and stores how the turn
 * ended (completed, failed, or cancelled with the partial answer). Text is forwarded the moment
 * it arrives; the database is touched only at the end and by a timer, never per token.
 */
export function runTurn(
  deps: RunnerDeps,
  run: {
    turn: ChatTurn;
    model: ModelEntry;
    chatModel: ChatModel;
    plan: TurnPlan;
    isNewTurn: boolean;
    /** The request's signal: aborts when the client disconnects. */
    signal?: AbortSignal;
  },
): TurnStream {
  const { turn, model, plan } = run;
  const labels: StreamLabels = { provider: model.provider, model: model.id };
  const abort = new AbortController();
  let trigger: AbortTrigger | undefined;
  let abortedAt = 0;
  const stop = (why: AbortTrigger) => {
    if (abort.signal.aborted) return;
    trigger = why;
    abortedAt = performance.now();
    abort.abort();
  };
  const channel = eventChannel(() => stop('client_disconnect'));
  if (run.signal?.aborted) stop('client_disconnect');
  run.signal?.addEventListener('abort', () => stop('client_disconnect'), { once: true });
  const unregister = registerStream(turn.id, () => stop('user_stop'));

  const finished = (async () => {
    const startedAt = performance.now();
    deps.metrics.streamStarted(labels);
    channel.send({
      event: 'stream_started',
      data: {
        request_id: turn.requestId,
        user_message_id: turn.userMessageId,
        assistant_message_id: turn.assistantMessageId,
        is_new_turn: run.isNewTurn,
        ...(plan.unseenImages ? { unseen_images: plan.unseenImages } : {}),
      },
    });

    let text = '';
    let contentStarted = false;
    let lastEventAt = performance.now();
    let progressed = false;
    const timers = [
      setInterval(
        () => {
          if (contentStarted) channel.write(KEEP_ALIVE);
          else channel.send({ event: 'ping', data: {} });
          if (performance.now() - lastEventAt > deps.streams.idleTimeoutMs) stop('idle_timeout');
        },
        Math.min(deps.streams.pingIntervalMs, deps.streams.idleTimeoutMs),
      ),
      setInterval(() => {
        cancelRequested(deps.db, turn.id).then(
          (asked) => asked && stop('user_stop'),
          (err: unknown) => log.warn({ err: errorFields(err) }, 'reading a stop request failed'),
        );
      }, deps.streams.cancelPollMs),
      setInterval(() => {
        if (!progressed) return;
        progressed = false;
        touchTurn(deps.db, turn.id, text).then(
          () => crashPoint('turn.streaming'),
          (err: unknown) => log.warn({ err: errorFields(err) }, 'turn heartbeat failed'),
        );
      }, deps.streams.heartbeatMs),
    ];

    let outcome: TurnOutcome;
    let citations: StoredCitation[] = [];
    // Kept with the answer, so that a reader who comes later sees what the stream showed.
    const tools: StoredToolCall[] = [];
    try {
      let input: ModelInput = plan.input;
      if (plan.retrieve) {
        contentStarted = true;
        channel.send({ event: 'tool', data: { name: 'file_search', phase: 'started' } });
        const passages = await plan.retrieve();
        channel.send({ event: 'tool', data: { name: 'file_search', phase: 'completed' } });
        tools.push({ name: 'file_search' });
        input = { ...input, passages };
        citations = passages.map((p) => ({
          attachment_id: p.attachmentId,
          filename: p.filename,
          quote: p.quote,
          ...(p.page === undefined ? {} : { page: p.page }),
        }));
      }
      const cited: string[] = [];
      let finish: FinishReason | undefined;
      let usage: TurnOutcome['usage'];
      const calledAt = performance.now();
      for await (const event of run.chatModel.stream(input, abort.signal)) {
        if (abort.signal.aborted) break;
        const arrivedAt = performance.now();
        lastEventAt = arrivedAt;
        progressed = true;
        switch (event.type) {
          case 'text': {
            const first = text === '';
            text += event.delta;
            contentStarted = true;
            channel.send({ event: 'delta', data: { content: event.delta } });
            if (first) {
              deps.metrics.ttftProvider(labels, arrivedAt - calledAt);
              deps.metrics.ttftOverhead(labels, performance.now() - arrivedAt);
            }
            break;
          }
          case 'tool': {
            contentStarted = true;
            const call = { name: event.name, code: clip(event.code), output: clip(event.output) };
            channel.send({ event: 'tool', data: { ...call, phase: event.phase } });
            if (event.phase === 'completed') tools.push(call);
            break;
          }
          case 'file_citation':
            if (!cited.includes(event.providerFileId)) cited.push(event.providerFileId);
            break;
          case 'usage':
            usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
            break;
          case 'finish':
            finish = event.reason;
            break;
          case 'progress':
            break;
        }
      }
      if (abort.signal.aborted) {
        outcome = abortedOutcome(text, trigger);
      } else if (!finish) {
        outcome = { state: 'failed', content: text, errorCode: 'stream_interrupted', citations: [] };
      } else {
        if (cited.length > 0) citations = await citedAttachments(deps.db, turn.chatId, cited);
        outcome = { state: 'completed', content: text, finishReason: finish, citations, usage };
      }
    } catch (err) {
      if (abort.signal.aborted) {
        outcome = abortedOutcome(text, trigger);
      } else if (err instanceof ModelError) {
        log.warn({ err: errorFields(err), code: err.code }, 'model call failed');
        outcome = { state: 'failed', content: text, errorCode: err.code, citations: [] };
      } else {
        log.error({ err: errorFields(err) }, 'turn failed');
        outcome = { state: 'failed', content: text, errorCode: 'internal', citations: [] };
      }
    } finally {
      for (const timer of timers) clearInterval(timer);
      unregister();
    }
    if (trigger) deps.metrics.streamAborted(trigger, performance.now() - abortedAt);
    outcome.tools = tools;
    outcome.unseenImages = plan.unseenImages;

    let stored = false;
    try {
      stored = await finishTurn(deps.db, turn, outcome);
      if (!stored) log.warn({ turn_id: turn.id }, 'turn was ended elsewhere before the stream finished');
    } catch (err) {
      log.error({ err: errorFields(err) }, 'storing the end of a turn failed');
    }
    deps.metrics.streamFinished(labels, outcome.state, performance.now() - startedAt, outcome.errorCode);
    if (outcome.state === 'completed' && stored) {
      if (outcome.citations.length > 0)
        channel.send({ event: 'citations', data: { items: outcome.citations } });
      channel.send({
        event: 'done',
        data: {
          message_id: turn.assistantMessageId,
          finish_reason: outcome.finishReason ?? 'stop',
          usage: {
            input_tokens: outcome.usage?.inputTokens ?? 0,
            output_tokens: outcome.usage?.outputTokens ?? 0,
          },
        },
      });
    } else if (trigger === 'user_stop' || trigger === 'shutdown') {
      // Stopped from elsewhere, or by the server shutting down: the client reading this stream
      // is still here, and is told.
      channel.send({ event: 'error', data: { code: 'cancelled', message: STREAM_ERROR_MESSAGES.cancelled } });
    } else if (outcome.state !== 'cancelled') {
      const code = (stored ? outcome.errorCode : 'internal') as StreamErrorCode;
      const known = code in STREAM_ERROR_MESSAGES ? code : 'provider_error';
      channel.send({ event: 'error', data: { code: known, message: STREAM_ERROR_MESSAGES[known] } });
    }
    channel.close();
  })();
  // A shutdown ends the answer at once, as a stop would: cancelled, its partial text kept.
  trackInFlight(finished, { onDrain: () => stop('shutdown') });
  return { body: channel.body, finished };
}

function abortedOutcome(text: string, trigger: AbortTrigger | undefined): TurnOutcome {
  // The client left or someone stopped it: the partial answer is kept. A silent model is a failure instead.
  return trigger === 'idle_timeout'
    ? { state: 'failed', content: text, errorCode: 'provider_timeout', citations: [] }
    : { state: 'cancelled', content: text, citations: [] };
}

/**
 * The model's file citations as our attachments, in the order first cited. A provider file that
 * is not one of the chat's live attachments (deleted since, or unknown) is dropped, so no
 * provider id ever reaches the client.
 */
export async function citedAttachments(
  db: Db,
  chatId: string,
  providerFileIds: string[],
): Promise<StoredCitation[]> {
  const rows = await db
    .select({
      id: attachments.id,
      filename: attachments.filename,
      providerFileId: attachments.providerFileId,
    })
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, chatId),
        inArray(attachments.providerFileId, providerFileIds),
        isNull(attachments.deletedAt),
      ),
    );
  const byFile = new Map(rows.map((row) => [row.providerFileId, row]));
  return providerFileIds.flatMap((fileId) => {
    const row = byFile.get(fileId);
    return row ? [{ attachment_id: row.id, filename: row.filename }] : [];
  });
}

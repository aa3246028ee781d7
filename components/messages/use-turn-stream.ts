'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { v4 as uuidv4 } from 'uuid';
import { ApiError } from '@/components/api';
import { errorCode, NETWORK_ERROR } from './error-sentences';
import { applyEvent, type LiveTurn } from './live-turn';
import { messagesUrl, refreshAfterTurn, retryUrl } from './message-queries';
import type { MessageAttachment, StreamEvent } from './message-types';
import { openTurnStream, readTurnEvents } from './turn-stream';

/** A send or retry the server refused, or a stream that broke off; shown until the next one. */
export interface TurnProblem {
  code: string;
  retryAfterMs?: number | null;
  /** The turn a Retry would answer again, when one may. */
  retryRequestId?: string;
}

/** Deltas are drawn at most this often: markdown is parsed again on each draw. */
const DRAW_INTERVAL_MS = 50;

// crypto.randomUUID exists only in secure contexts; a page served over plain HTTP has getRandomValues.
const newRequestId = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : uuidv4());

/**
 * Sends messages and retries as streamed turns: the live turn grows with the stream's events and
 * stays until the message list has its answer (the caller settles it). Stop aborts the request,
 * which cancels the turn on the server. Leaving the page section does not: the answer streams on
 * in the background and the list is refreshed when it ends.
 */
export function useTurnStream(chatId: string) {
  const client = useQueryClient();
  const [live, setLive] = useState<LiveTurn | null>(null);
  const [problem, setProblem] = useState<TurnProblem | null>(null);
  const controller = useRef<AbortController | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const update = useCallback((change: (turn: LiveTurn) => LiveTurn) => {
    if (mounted.current) setLive((turn) => turn && change(turn));
  }, []);

  const read = useCallback(
    async (response: Response, abort: AbortController) => {
      let text = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      const draw = () => {
        clearTimeout(timer);
        timer = undefined;
        if (!text) return;
        const added = text;
        text = '';
        update((turn) => ({ ...turn, phase: 'streaming', content: turn.content + added }));
      };
      let ended = false;
      const onEvent = (event: StreamEvent) => {
        if (event.event === 'delta') {
          text += event.data.content;
          timer ??= setTimeout(draw, DRAW_INTERVAL_MS);
          return;
        }
        draw();
        if (event.event === 'done' || event.event === 'error') ended = true;
        update((turn) => applyEvent(turn, event));
      };
      try {
        await readTurnEvents(response, onEvent);
        draw();
        if (!ended) update((turn) => ({ ...turn, phase: 'failed', errorCode: 'stream_interrupted' }));
      } catch {
        draw();
        // After its last event the turn is over, whatever happens to the connection.
        if (!ended)
          update((turn) =>
            abort.signal.aborted
              ? { ...turn, phase: 'stopped' }
              : { ...turn, phase: 'failed', errorCode: NETWORK_ERROR },
          );
      } finally {
        if (controller.current === abort) controller.current = null;
        await refreshAfterTurn(client, chatId);
      }
    },
    [chatId, client, update],
  );

  /** Resolves true once the server has accepted the turn (and streams it), false when it did not. */
  const run = useCallback(
    async (url: string, body: unknown, turn: LiveTurn): Promise<boolean> => {
      if (controller.current) return false;
      const abort = new AbortController();
      controller.current = abort;
      setProblem(null);
      setLive(turn);
      let response: Response;
      try {
        response = await openTurnStream(url, body, abort.signal);
      } catch (error) {
        if (controller.current === abort) controller.current = null;
        if (mounted.current) {
          setLive(null);
          if (!abort.signal.aborted)
            setProblem({
              code: errorCode(error),
              retryAfterMs: error instanceof ApiError ? error.retryAfterMs : null,
            });
        }
        // A turn running elsewhere (409), or one this request started before it was stopped, shows.
        void refreshAfterTurn(client, chatId);
        return false;
      }
      void read(response, abort);
      return true;
    },
    [chatId, client, read],
  );

  const send = useCallback(
    (content: string, attachments: MessageAttachment[]) => {
      const requestId = newRequestId();
      const body = {
        content,
        request_id: requestId,
        attachment_ids: attachments.map((attachment) => attachment.attachment_id),
      };
      return run(messagesUrl(chatId), body, {
        requestId,
        user: { content, attachments },
        content: '',
        tools: [],
        citations: [],
        phase: 'sending',
      });
    },
    [chatId, run],
  );

  /** Answers the chat's last turn again; `user` is its message, drawn while the new answer streams. */
  const retry = useCallback(
    (requestId: string, user?: LiveTurn['user']) =>
      run(retryUrl(chatId, requestId), undefined, {
        requestId,
        retryOf: requestId,
        user,
        content: '',
        tools: [],
        citations: [],
        phase: 'sending',
      }),
    [chatId, run],
  );

  const stop = useCallback(() => controller.current?.abort(), []);

  return { live, setLive, problem, setProblem, send, retry, stop };
}

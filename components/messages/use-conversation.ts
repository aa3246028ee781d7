'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { buildTranscript, isRunning, liveRequestId, storedAnswerOf, type TurnExtras } from './live-turn';
import { cancelTurn, refreshAfterTurn, unansweredTurn, useMessages, useTurnPolling } from './message-queries';
import { type TurnProblem, useTurnStream } from './use-turn-stream';

/**
 * Everything the message list and the composer share: the server's messages, the turn this tab
 * streams (drawn in place of its messages until the list holds them), a turn running elsewhere
 * (polled), and the problem to show with its Retry.
 */
export function useConversation(chatId: string) {
  const client = useQueryClient();
  const list = useMessages(chatId);
  const { messages } = list;
  const stream = useTurnStream(chatId);
  const { live, setLive, problem, setProblem } = stream;
  const [extras, setExtras] = useState<ReadonlyMap<string, TurnExtras>>(new Map());

  // What only the stream told (the tools used) is kept for the answer once the turn is over, even
  // when another send takes the live turn's place before the list has the answer.
  useEffect(() => {
    if (!live || isRunning(live) || (live.tools.length === 0 && !live.finishReason)) return;
    const id = liveRequestId(live);
    const extra = { tools: live.tools, finishReason: live.finishReason };
    setExtras((current) =>
      current.get(id)?.tools === live.tools ? current : new Map(current).set(id, extra),
    );
  }, [live]);

  // The list holds the live turn's answer: it takes over.
  const settled = live ? storedAnswerOf(messages, live) : undefined;
  useEffect(() => {
    if (!live || !settled) return;
    // A broken connection ends the turn cancelled on the server; the reason would be lost with it.
    if (live.errorCode && settled.state !== 'failed')
      setProblem({ code: live.errorCode, retryRequestId: settled.request_id });
    setLive(null);
  }, [live, settled, setLive, setProblem]);

  // A turn not streaming here is followed by its status: one over but not yet in the list, or one
  // running in another tab (or from before a reload).
  const running = isRunning(live);
  const pollId = running ? null : live ? liveRequestId(live) : unansweredTurn(messages);
  const turn = useTurnPolling(chatId, pollId);
  useEffect(() => {
    if (turn.data === undefined) return;
    if (turn.data === null) {
      // Never started (stopped before the server had it): nothing will come.
      setLive((current) => (current && !isRunning(current) ? null : current));
      return;
    }
    if (turn.data.state !== 'running') void refreshAfterTurn(client, chatId);
  }, [turn.data, client, chatId, setLive]);
  // Unknown until the first answer; a status that cannot be read does not hold up sending for good.
  const generating =
    !live &&
    pollId !== null &&
    (turn.data?.state === 'running' || (turn.data === undefined && !turn.isError));

  const transcript = useMemo(() => buildTranscript(messages, live, extras), [messages, live, extras]);

  const last = messages.at(-1);
  let banner: TurnProblem | null = null;
  if (live?.errorCode) banner = { code: live.errorCode, retryRequestId: liveRequestId(live) };
  else if (problem) banner = problem;
  else if (!live && last?.role === 'assistant' && last.state === 'failed')
    banner = { code: last.error_code ?? 'internal', retryRequestId: last.request_id };

  const retry = useCallback(
    (requestId: string) => {
      const user = messages.findLast(
        (message) => message.role === 'user' && message.request_id === requestId,
      );
      return stream.retry(requestId, user && { content: user.content, attachments: user.attachments });
    },
    [messages, stream.retry],
  );

  // Stop: this tab's stream is aborted (the server cancels the turn); a turn written elsewhere is
  // asked to stop through the API.
  const streamStop = stream.stop;
  const stop = useCallback(() => {
    if (running) streamStop();
    else if (generating && pollId) void cancelTurn(client, chatId, pollId);
  }, [running, generating, pollId, streamStop, client, chatId]);

  return {
    list,
    transcript,
    banner,
    /** The problem banner can be put away; a failed answer's stays while it is the last. */
    dismissBanner: problem && banner === problem ? () => setProblem(null) : undefined,
    /** A turn runs here (sending or streaming): Send becomes Stop. */
    streaming: running,
    /** A turn runs elsewhere: the list shows that an answer is being written, and Stop stops it. */
    generating,
    send: stream.send,
    stop,
    retry,
  };
}

export type Conversation = ReturnType<typeof useConversation>;

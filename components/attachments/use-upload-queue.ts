'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { ApiError } from '@/components/api';
import {
  type AttachmentView,
  attachmentKeys,
  deleteAttachment,
  storeAttachment,
  uploadLimitsQuery,
} from './attachment-queries';
import {
  afterFailure,
  type DraftEntry,
  isInFlight,
  type LocalFile,
  newEntries,
  readDraft,
  toComposerFiles,
  writeDraft,
} from './composer-files';
import { errorSentence } from './error-messages';
import { browserPartsDeps } from './parts/browser';
import { PauseGate } from './parts/progress';
import { cancelInParts, forgetUpload, interruptedUploads, isRemembered } from './parts/resumable';
import { type PartsControl, pickedAgain, restoredEntries, withPause } from './parts-controls';
import { sendFile } from './send-file';

const PARALLEL_UPLOADS = 3;
let nextKey = 0;
const newKey = () => `local-${Date.now()}-${nextKey++}`;

/**
 * The files selected for the next message: checked against the chat's limits, uploaded a few at a
 * time with progress, cancellable and retryable, then followed through the server's list (which
 * polls while they are in progress). The selection survives a reload through localStorage.
 */
export function useUploadQueue(chatId: string, attachments: AttachmentView[] | undefined) {
  const client = useQueryClient();
  // The selection from before a reload. Safe to read while hydrating: entries render only once the
  // list query (empty on the server) knows their files.
  const [entries, setEntries] = useState<DraftEntry[]>(() =>
    typeof window === 'undefined'
      ? []
      : [
          ...readDraft(chatId).map((id) => ({ key: id, attachmentId: id, busyRetries: 0 })),
          ...restoredEntries(interruptedUploads(localStorage, chatId, Date.now())),
        ],
  );
  const [lockedIds, setLockedIds] = useState<ReadonlySet<string>>(new Set());
  const entriesRef = useRef(entries);
  entriesRef.current = entries;
  /** Uploads in flight: their abort controllers and pause gates, and whether the user gave up on them once sent. */
  const running = useRef(
    new Map<string, { controller: AbortController; gate: PauseGate; discard: boolean }>(),
  );
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const update = useCallback((key: string, change: (entry: DraftEntry) => DraftEntry) => {
    setEntries((current) => current.map((entry) => (entry.key === key ? change(entry) : entry)));
  }, []);

  const drop = useCallback((key: string) => {
    const entry = entriesRef.current.find((candidate) => candidate.key === key);
    if (entry?.local?.previewUrl) URL.revokeObjectURL(entry.local.previewUrl);
    clearTimeout(timers.current.get(key));
    timers.current.delete(key);
    // Committed at once, so the caller can move the focus off a chip that is gone.
    flushSync(() => setEntries((current) => current.filter((candidate) => candidate.key !== key)));
  }, []);

  useEffect(() => writeDraft(chatId, entries), [chatId, entries]);

  // Files deleted elsewhere (the panel, another tab) leave the selection. Only files the list has
  // shown before (or restored from before a reload) count as deleted when missing: a list read
  // that began before an upload finished can land after it, without the new row.
  const listed = useRef<Set<string> | null>(null);
  listed.current ??= new Set(entries.flatMap((entry) => (entry.attachmentId ? [entry.attachmentId] : [])));
  useEffect(() => {
    if (!attachments) return;
    const known = new Set(attachments.map((view) => view.id));
    const seen = listed.current ?? new Set<string>();
    for (const id of known) seen.add(id);
    // An upload a reload interrupted that the server has settled meanwhile is an ordinary file of
    // the selection now (completed, expired), or gone with its row (cancelled elsewhere).
    const interrupted = (entry: DraftEntry) => entry.upload?.phase === 'interrupted';
    const settled = (entry: DraftEntry) =>
      interrupted(entry) &&
      attachments.some((view) => view.id === entry.attachmentId && view.status !== 'uploading');
    const vanished = (entry: DraftEntry) => interrupted(entry) && !known.has(entry.attachmentId ?? '');
    for (const entry of entriesRef.current) {
      if (entry.resume && (settled(entry) || vanished(entry)))
        forgetUpload(localStorage, entry.resume.upload_id);
    }
    setEntries((current) => {
      const kept = current
        .map((entry) => (settled(entry) ? { ...entry, upload: undefined, resume: undefined } : entry))
        .filter(
          (entry) =>
            !vanished(entry) &&
            (entry.upload ||
              !entry.attachmentId ||
              known.has(entry.attachmentId) ||
              !seen.has(entry.attachmentId)),
        );
      return kept.length === current.length && kept.every((entry, i) => entry === current[i])
        ? current
        : kept;
    });
  }, [attachments]);

  const start = useCallback(
    (entry: DraftEntry & { local: LocalFile & { type: string } }) => {
      const { key, local } = entry;
      const controller = new AbortController();
      const gate = new PauseGate();
      running.current.set(key, { controller, gate, discard: false });
      update(key, (e) => ({ ...e, upload: { phase: 'uploading', loaded: 0, total: local.file.size } }));
      sendFile({
        chatId,
        file: local.file,
        type: local.type,
        signal: controller.signal,
        gate,
        resume: entry.resume,
        onProgress: (progress) =>
          update(key, (e) => ({
            ...e,
            upload: gate.paused
              ? { phase: 'paused', loaded: progress.loaded, total: progress.total }
              : { phase: 'uploading', ...progress },
          })),
        onCreated: (record) =>
          update(key, (e) => ({ ...e, attachmentId: record.attachment_id, resume: record })),
        onSent: () => update(key, (e) => ({ ...e, upload: { phase: 'sent' } })),
      })
        .then((view) => {
          const run = running.current.get(key);
          running.current.delete(key);
          if (run?.discard) {
            // Cancelled after every byte had left: the file landed anyway, so it goes now.
            void deleteAttachment(chatId, view.id).catch(() => {});
            return;
          }
          storeAttachment(client, chatId, view.id, view);
          // A list read that started before this row existed would drop it when it lands: replaced.
          void client.invalidateQueries({ queryKey: attachmentKeys.list(chatId) });
          // The server's thumbnail takes over from the local preview, whose memory can go.
          const previewUrl = view.img_thumbnail ? local.previewUrl : undefined;
          if (previewUrl) URL.revokeObjectURL(previewUrl);
          update(key, (e) => ({
            ...e,
            attachmentId: view.id,
            upload: undefined,
            resume: undefined,
            local: e.local && previewUrl ? { ...e.local, previewUrl: undefined } : e.local,
          }));
        })
        .catch((error: unknown) => {
          running.current.delete(key);
          if (error instanceof DOMException && error.name === 'AbortError') return;
          // A refusal after the row was written leaves it failed in the list.
          void client.invalidateQueries({ queryKey: attachmentKeys.list(chatId) });
          const current = entriesRef.current.find((e) => e.key === key);
          if (!current) return;
          const ctx = { filename: local.file.name, kind: local.kind, size: local.file.size };
          const resumable = current.resume && isRemembered(localStorage, current.resume.upload_id);
          const outcome = afterFailure(error, current, errorSentence(error, ctx), Boolean(resumable));
          if (outcome.wait !== undefined) {
            const waitMs = outcome.wait;
            update(key, (e) => ({ ...e, ...outcome.change, busyRetries: e.busyRetries + 1 }));
            timers.current.set(
              key,
              setTimeout(() => update(key, (e) => ({ ...e, upload: { phase: 'queued' } })), waitMs),
            );
            return;
          }
          update(key, (e) => ({ ...e, ...outcome.change }));
        })
        .finally(() => void client.invalidateQueries({ queryKey: attachmentKeys.limits(chatId) }));
    },
    [chatId, client, update],
  );

  // A few uploads at a time; the rest wait their turn.
  useEffect(() => {
    let free = PARALLEL_UPLOADS - running.current.size;
    for (const entry of entries) {
      if (free <= 0) break;
      if (entry.upload?.phase !== 'queued' || running.current.has(entry.key)) continue;
      const { local } = entry;
      if (!local?.type) continue;
      free--;
      start({ ...entry, local: { ...local, type: local.type } });
    }
  }, [entries, start]);

  // Leaving the page ends the uploads: nothing would be left to show their outcome.
  useEffect(() => {
    const inFlight = running.current;
    const pending = timers.current;
    return () => {
      for (const run of inFlight.values()) run.controller.abort();
      for (const timer of pending.values()) clearTimeout(timer);
      for (const entry of entriesRef.current)
        if (entry.local?.previewUrl) URL.revokeObjectURL(entry.local.previewUrl);
    };
  }, []);

  const uploading = entries.some((entry) => isInFlight(entry.upload));
  useEffect(() => {
    if (!uploading) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [uploading]);

  const add = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      const limits = await client.fetchQuery(uploadLimitsQuery(chatId)).catch(() => null);
      const added = newEntries(files, limits, entriesRef.current, newKey);
      setEntries((current) => [...current, ...added]);
    },
    [chatId, client],
  );

  const markLocked = useCallback((id: string) => setLockedIds((ids) => new Set(ids).add(id)), []);

  const remove = useCallback(
    async (key: string) => {
      const entry = entriesRef.current.find((candidate) => candidate.key === key);
      if (!entry) return;
      const run = running.current.get(key);
      // An upload in parts before its completion: cancelled at the server, which drops its row.
      if (entry.resume && entry.upload?.phase !== 'sent') {
        run?.controller.abort();
        await cancelInParts(browserPartsDeps, localStorage, entry.resume.upload_id);
        storeAttachment(client, chatId, entry.resume.attachment_id, null);
        void client.invalidateQueries({ queryKey: attachmentKeys.limits(chatId) });
        drop(key);
        return;
      }
      if (run) {
        // Before the last byte, aborting stops the server too; after it, the answer is awaited and deleted.
        if (entry.upload?.phase === 'sent') run.discard = true;
        else run.controller.abort();
      }
      const id = entry.attachmentId;
      const sent =
        id !== undefined && (lockedIds.has(id) || attachments?.some((view) => view.id === id && view.locked));
      if (!id || entry.upload?.phase === 'refused' || sent) {
        drop(key);
        return;
      }
      try {
        await deleteAttachment(chatId, id);
        storeAttachment(client, chatId, id, null);
        void client.invalidateQueries({ queryKey: attachmentKeys.limits(chatId) });
        drop(key);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'attachment_locked') {
          markLocked(id);
          return;
        }
        const filename =
          entry.local?.file.name ?? attachments?.find((view) => view.id === id)?.filename ?? '';
        const message = errorSentence(error, { filename, kind: entry.local?.kind ?? 'document' });
        update(key, (e) => ({ ...e, notice: `Could not remove: ${message}` }));
      }
    },
    [attachments, chatId, client, drop, lockedIds, markLocked, update],
  );

  /**
   * Takes files off the selection without deleting them: they were sent with a message and stay
   * in the chat (locked).
   */
  const release = useCallback((keys: string[]) => {
    const released = new Set(keys);
    for (const entry of entriesRef.current) {
      if (!released.has(entry.key)) continue;
      if (entry.local?.previewUrl) URL.revokeObjectURL(entry.local.previewUrl);
      clearTimeout(timers.current.get(entry.key));
      timers.current.delete(entry.key);
    }
    setEntries((current) => current.filter((entry) => !released.has(entry.key)));
  }, []);

  const retry = useCallback(
    (key: string) => {
      const entry = entriesRef.current.find((candidate) => candidate.key === key);
      if (!entry?.local?.type) return;
      // The failed row would only linger in the chat's files next to the new one; an upload in
      // parts the server still holds keeps its row, and goes on.
      if (entry.resume) {
        update(key, (e) => ({ ...e, upload: { phase: 'queued' }, busyRetries: 0, notice: undefined }));
        return;
      }
      if (entry.attachmentId) {
        const failedId = entry.attachmentId;
        void deleteAttachment(chatId, failedId)
          .then(() => storeAttachment(client, chatId, failedId, null))
          .catch(() => {});
      }
      update(key, (e) => ({
        ...e,
        attachmentId: undefined,
        upload: { phase: 'queued' },
        busyRetries: 0,
        notice: undefined,
      }));
    },
    [chatId, client, update],
  );

  /** Pause, resume, or the file picked again after a reload (checked to be the same first). */
  const control = useCallback(
    async (key: string, action: PartsControl) => {
      const entry = entriesRef.current.find((candidate) => candidate.key === key);
      if (!entry) return;
      if (action.kind === 'pick') {
        const change = await pickedAgain(browserPartsDeps, entry, action.file);
        update(key, (e) => ({ ...e, ...change }));
        return;
      }
      const gate = running.current.get(key)?.gate;
      if (!gate) return;
      if (action.kind === 'pause') gate.pause();
      else gate.resume();
      update(key, (e) => ({ ...e, upload: withPause(e.upload, gate.paused) }));
    },
    [update],
  );

  const files = useMemo(
    () => toComposerFiles(entries, attachments, lockedIds),
    [attachments, entries, lockedIds],
  );

  return { files, lockedIds, markLocked, add, remove, retry, release, control };
}

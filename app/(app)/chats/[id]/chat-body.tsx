'use client';

import { useRef, useState } from 'react';
import { acceptAttribute, describeAccepted } from '@/components/attachments/accepted-types';
import { useChatAttachments, useUploadLimits } from '@/components/attachments/attachment-queries';
import { AttachmentsPanel } from '@/components/attachments/attachments-panel';
import type { ComposerFile } from '@/components/attachments/composer-files';
import { DropOverlay } from '@/components/attachments/drop-overlay';
import { useFileDrop } from '@/components/attachments/use-file-drop';
import { useUploadQueue } from '@/components/attachments/use-upload-queue';
import { Composer } from '@/components/chats/composer';
import { CurrentChat } from '@/components/chats/current-chat';
import { MessageList } from '@/components/messages/message-list';
import type { MessageAttachment } from '@/components/messages/message-types';
import { OfflineHint } from '@/components/messages/offline-hint';
import { useConversation } from '@/components/messages/use-conversation';
import { useStickToBottom } from '@/components/messages/use-stick-to-bottom';

const PANEL_ID = 'chat-files';

/** A composer file as the message will list it (only files the server has ready are sent). */
const toMessageAttachments = (files: ComposerFile[]): MessageAttachment[] =>
  files.flatMap(({ view }) =>
    view
      ? [
          {
            attachment_id: view.id,
            kind: view.kind,
            filename: view.filename,
            content_type: view.content_type,
            can_open: view.can_open,
            ...(view.img_thumbnail ? { img_thumbnail: view.img_thumbnail } : {}),
          },
        ]
      : [],
  );

/** The chat below its header: messages, the chat's files, and the composer; files drop anywhere on it. */
export function ChatBody({
  chatId,
  offline,
}: {
  chatId: string;
  /** The keyless model, which answers by quoting the chat's documents. */
  offline: boolean;
}) {
  const list = useChatAttachments(chatId);
  const limits = useUploadLimits(chatId);
  const queue = useUploadQueue(chatId, list.data);
  const dragging = useFileDrop(queue.add);
  const conversation = useConversation(chatId);
  const scroll = useStickToBottom<HTMLElement, HTMLDivElement>(conversation.transcript.bubbles[0]?.key);
  const input = useRef<HTMLTextAreaElement>(null);
  const [panelOpen, setPanelOpen] = useState(false);
  const panelHeading = useRef<HTMLHeadingElement>(null);
  const panelToggle = useRef<HTMLElement | null>(null);

  const togglePanel = () => {
    if (!panelOpen) {
      panelToggle.current = document.activeElement as HTMLElement | null;
      requestAnimationFrame(() => panelHeading.current?.focus());
    }
    setPanelOpen(!panelOpen);
  };
  const closePanel = () => {
    setPanelOpen(false);
    requestAnimationFrame(() => panelToggle.current?.focus());
  };

  const send = async (content: string, files: ComposerFile[]) => {
    scroll.toEnd();
    const taken = await conversation.send(content, toMessageAttachments(files));
    // Sent files leave the composer; they stay in the chat, locked.
    if (taken) queue.release(files.map((file) => file.key));
    return taken;
  };
  const retry = (requestId: string) => {
    scroll.toEnd();
    void conversation.retry(requestId);
    // The banner and its button go; writing (or Stop, one Tab on) is where the user is likely headed.
    input.current?.focus();
  };

  return (
    <CurrentChat value={chatId}>
      <div className="flex min-h-0 flex-1">
        <MessageList
          className={panelOpen ? 'hidden md:block' : ''}
          conversation={conversation}
          attachments={list.data}
          offline={offline}
          onRetry={retry}
          scroll={scroll}
        />
        {panelOpen && (
          <AttachmentsPanel
            id={PANEL_ID}
            chatId={chatId}
            attachments={list.data}
            loadError={list.isError}
            limits={limits.data}
            lockedIds={queue.lockedIds}
            onLocked={queue.markLocked}
            onClose={closePanel}
            headingRef={panelHeading}
          />
        )}
      </div>
      <Composer
        // On a phone the open panel takes the whole page, as a sheet would.
        className={panelOpen ? 'hidden md:block' : ''}
        files={queue.files}
        accept={limits.data && acceptAttribute(limits.data)}
        onAddFiles={queue.add}
        onRemove={queue.remove}
        onRetry={queue.retry}
        onControl={(key, control) => void queue.control(key, control)}
        filesPanel={{
          open: panelOpen,
          count: list.data?.length ?? 0,
          controls: PANEL_ID,
          onToggle: togglePanel,
        }}
        onSend={send}
        onStop={conversation.stop}
        // A turn written elsewhere can be stopped from here too.
        streaming={conversation.streaming || conversation.generating}
        inputRef={input}
        notice={offline ? <OfflineHint /> : undefined}
        // No hint until the limits say whether the model sees images.
        modelSeesImages={limits.data?.model_sees_images ?? true}
      />
      {dragging && <DropOverlay description={limits.data && describeAccepted(limits.data)} />}
    </CurrentChat>
  );
}

'use client';

import { useRef, useState } from 'react';
import { acceptAttribute, describeAccepted } from '@/components/attachments/accepted-types';
import { useChatAttachments, useUploadLimits } from '@/components/attachments/attachment-queries';
import { AttachmentsPanel } from '@/components/attachments/attachments-panel';
import { DropOverlay } from '@/components/attachments/drop-overlay';
import { useFileDrop } from '@/components/attachments/use-file-drop';
import { useUploadQueue } from '@/components/attachments/use-upload-queue';
import { Composer } from '@/components/chats/composer';

const PANEL_ID = 'chat-files';

/** The chat below its header: messages, the chat's files, and the composer; files drop anywhere on it. */
export function ChatBody({ chatId, modelReadsImages }: { chatId: string; modelReadsImages: boolean }) {
  const list = useChatAttachments(chatId);
  const limits = useUploadLimits(chatId);
  const queue = useUploadQueue(chatId, list.data, { modelReadsImages });
  const dragging = useFileDrop(queue.add);
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

  return (
    <>
      <div className="flex min-h-0 flex-1">
        <section
          aria-label="Messages"
          className={`${panelOpen ? 'hidden md:flex' : 'flex'} flex-1 items-center justify-center overflow-y-auto p-6 text-center`}
        >
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Messages will appear here.</p>
        </section>
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
        filesPanel={{
          open: panelOpen,
          count: list.data?.length ?? 0,
          controls: PANEL_ID,
          onToggle: togglePanel,
        }}
      />
      {dragging && <DropOverlay description={limits.data && describeAccepted(limits.data)} />}
    </>
  );
}

'use client';

import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { CheckIcon } from '@/components/ui/icons';
import { useSwitchChatModel } from './chat-queries';
import { type ChatModelsView, useChatModels } from './model-queries';

/**
 * The chat's model, and a list to move the chat to another: a button that opens a listbox
 * (arrows, Home and End move, Enter or Space picks, Escape closes). Models this chat cannot use
 * stay in the list, disabled, with the reason under their name.
 */
export function ModelSwitcher({ chatId, initial }: { chatId: string; initial: ChatModelsView }) {
  const { data } = useChatModels(chatId, initial);
  const switchModel = useSwitchChatModel(chatId);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [announced, setAnnounced] = useState('');
  const button = useRef<HTMLButtonElement>(null);
  const listbox = useRef<HTMLDivElement>(null);
  const id = useId();
  const optionId = (index: number) => `${id}-option-${index}`;

  const { items, current } = data;
  const currentName = items.find((item) => item.id === current)?.display_name ?? current;

  useEffect(() => {
    if (open) listbox.current?.focus();
  }, [open]);
  useEffect(() => {
    if (open) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  });

  const show = () => {
    switchModel.reset();
    setActive(
      Math.max(
        0,
        items.findIndex((item) => item.id === current),
      ),
    );
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const pick = (index: number) => {
    const item = items[index];
    if (!item?.available) return;
    close();
    if (item.id === current) return;
    switchModel.mutate(item.id, {
      onSuccess: () => setAnnounced(`This chat now uses ${item.display_name}.`),
    });
  };

  const onListKey = (event: KeyboardEvent) => {
    const last = items.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: Math.min(last, active + 1),
      ArrowUp: Math.max(0, active - 1),
      Home: 0,
      End: last,
    };
    if (event.key in moves) setActive(moves[event.key] as number);
    else if (event.key === 'Enter' || event.key === ' ') pick(active);
    else if (event.key === 'Escape') close();
    else if (event.key === 'Tab') setOpen(false);
    else return;
    if (event.key !== 'Tab') event.preventDefault();
  };

  return (
    <div className="relative min-w-0 text-sm">
      <span id={`${id}-label`} className="sr-only">
        Model
      </span>
      <button
        ref={button}
        id={`${id}-button`}
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-labelledby={`${id}-label ${id}-button`}
        // Not `disabled`: the button keeps the focus it got back while the switch is saved.
        aria-disabled={switchModel.isPending || undefined}
        // Keeps the open list's focus, so that this click closes the list instead of reopening it.
        onMouseDown={(event) => open && event.preventDefault()}
        onClick={() => {
          if (open) close();
          else if (!switchModel.isPending) show();
        }}
        onKeyDown={(event) => {
          if (!open && !switchModel.isPending && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
            event.preventDefault();
            show();
          }
        }}
        className="flex max-w-full min-w-0 items-center gap-1 rounded-md text-zinc-600 hover:text-zinc-900 aria-disabled:opacity-60 dark:text-zinc-400 dark:hover:text-zinc-100"
      >
        <span className="truncate">{switchModel.isPending ? 'Switching model…' : currentName}</span>
        <svg viewBox="0 0 20 20" className="size-4 shrink-0" aria-hidden="true" fill="currentColor">
          <path d="M5.5 7.5 10 12l4.5-4.5z" />
        </svg>
      </button>
      {open && (
        <div
          ref={listbox}
          role="listbox"
          aria-labelledby={`${id}-label`}
          tabIndex={-1}
          aria-activedescendant={optionId(active)}
          onKeyDown={onListKey}
          onBlur={(event) => {
            if (!event.currentTarget.contains(event.relatedTarget)) setOpen(false);
          }}
          className="absolute left-0 z-20 mt-1 max-h-80 w-80 max-w-[calc(100vw-2rem)] overflow-y-auto rounded-md border border-zinc-200 bg-white py-1 shadow-lg outline-none dark:border-zinc-700 dark:bg-zinc-900"
        >
          {items.map((item, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox takes the keys for its options.
            // biome-ignore lint/a11y/useFocusableInteractive: focus stays on the listbox, which names the active option (aria-activedescendant).
            <div
              key={item.id}
              id={optionId(index)}
              role="option"
              aria-selected={item.id === current}
              aria-disabled={!item.available || undefined}
              aria-labelledby={`${optionId(index)}-name`}
              aria-describedby={item.reason ? `${optionId(index)}-reason` : undefined}
              onClick={() => pick(index)}
              onMouseMove={() => setActive(index)}
              className={`px-3 py-2 ${index === active ? 'bg-zinc-100 dark:bg-zinc-800' : ''} ${
                item.available ? 'cursor-pointer' : 'cursor-not-allowed'
              }`}
            >
              <span className="flex items-center justify-between gap-2">
                <span
                  id={`${optionId(index)}-name`}
                  className={item.available ? '' : 'text-zinc-500 dark:text-zinc-500'}
                >
                  {item.display_name}
                </span>
                {item.id === current && <CheckIcon />}
              </span>
              {item.reason && (
                <span
                  id={`${optionId(index)}-reason`}
                  className="mt-0.5 block text-xs text-zinc-600 dark:text-zinc-400"
                >
                  {item.reason}
                </span>
              )}
            </div>
          ))}
        </div>
      )}
      {switchModel.error && (
        <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">
          {switchModel.error.message}
        </p>
      )}
      <p role="status" className="sr-only">
        {announced}
      </p>
    </div>
  );
}

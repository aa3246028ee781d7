'use client';

import { usePathname } from 'next/navigation';
import { type KeyboardEvent, type ReactNode, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import { Button } from './ui/button';
import { CloseIcon, MenuIcon } from './ui/icons';

/** Matches the `md` breakpoint in globals.css: below it the sidebar is a drawer. */
const NARROW_QUERY = '(width < 48.0625rem)';

function useIsNarrow() {
  return useSyncExternalStore(
    (onChange) => {
      const query = window.matchMedia(NARROW_QUERY);
      query.addEventListener('change', onChange);
      return () => query.removeEventListener('change', onChange);
    },
    () => window.matchMedia(NARROW_QUERY).matches,
    () => false,
  );
}

/**
 * The signed-in frame: sidebar and main area. On narrow screens the sidebar is a drawer behind a
 * menu button; it closes on Escape, on the backdrop, and whenever the page changes.
 */
export function AppShell({ sidebar, children }: { sidebar: ReactNode; children: ReactNode }) {
  const pathname = usePathname();
  // The drawer belongs to the page it was opened on, so navigating closes it without an effect.
  const [openOnPath, setOpenOnPath] = useState<string | null>(null);
  const isNarrow = useIsNarrow();
  const drawerOpen = isNarrow && openOnPath === pathname;
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (drawerOpen) closeButton.current?.focus();
  }, [drawerOpen]);

  const closeDrawer = () => {
    // Commit first: the menu button cannot take the focus while the content is still inert.
    flushSync(() => setOpenOnPath(null));
    menuButton.current?.focus();
  };
  const closeOnEscape = (event: KeyboardEvent<HTMLElement>) => {
    // The rename input (which prevents the default) and dialogs use Escape for themselves.
    const inDialog = event.target instanceof Element && event.target.closest('dialog');
    if (event.key === 'Escape' && drawerOpen && !event.defaultPrevented && !inDialog) closeDrawer();
  };

  return (
    <div className="flex h-dvh">
      {drawerOpen && (
        // A pointer shortcut only: keyboards close the drawer with Escape or the close button.
        <div className="fixed inset-0 z-30 bg-black/50" aria-hidden="true" onClick={closeDrawer} />
      )}
      <aside
        id="sidebar"
        aria-label="Sidebar"
        onKeyDown={closeOnEscape}
        className={`${
          drawerOpen ? 'fixed inset-y-0 left-0 z-40 flex w-72 max-w-[85vw] shadow-xl' : 'hidden'
        } flex-col border-r border-zinc-200 bg-zinc-50 md:static md:flex md:w-72 md:shrink-0 dark:border-zinc-800 dark:bg-zinc-900`}
      >
        <div className="flex items-center justify-between px-4 pt-3 md:hidden">
          <span className="font-semibold">Mini-chat</span>
          <Button ref={closeButton} variant="icon" aria-label="Close menu" onClick={closeDrawer}>
            <CloseIcon />
          </Button>
        </div>
        {sidebar}
      </aside>
      <div className="flex min-w-0 flex-1 flex-col" inert={drawerOpen}>
        <div className="flex items-center gap-2 border-b border-zinc-200 px-2 py-2 md:hidden dark:border-zinc-800">
          <Button
            ref={menuButton}
            variant="icon"
            aria-label="Open menu"
            aria-expanded={drawerOpen}
            aria-controls="sidebar"
            onClick={() => setOpenOnPath(pathname)}
          >
            <MenuIcon />
          </Button>
          <span className="font-semibold">Mini-chat</span>
        </div>
        <main className="flex min-h-0 flex-1 flex-col">{children}</main>
      </div>
    </div>
  );
}

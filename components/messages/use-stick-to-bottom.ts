'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** Within this many pixels of the end, the list counts as read to the end and follows new text. */
const NEAR_END_PX = 48;

/**
 * Keeps a scrolling list at its end while it grows (an answer streaming in), unless the user has
 * scrolled up to read; holds the view in place when earlier messages are put above it.
 */
export function useStickToBottom<S extends HTMLElement, C extends HTMLElement>(firstKey: string | undefined) {
  const scroller = useRef<S>(null);
  const content = useRef<C>(null);
  const stuck = useRef(true);
  /** Distance from the end to keep while earlier messages load above. */
  const anchor = useRef<number | null>(null);
  const [awayFromEnd, setAwayFromEnd] = useState(false);

  useEffect(() => {
    const box = scroller.current;
    const inner = content.current;
    if (!box || !inner) return;
    const onScroll = () => {
      const nearEnd = box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_END_PX;
      stuck.current = nearEnd;
      setAwayFromEnd(!nearEnd);
    };
    const onResize = () => {
      if (anchor.current !== null) box.scrollTop = box.scrollHeight - anchor.current;
      else if (stuck.current) box.scrollTop = box.scrollHeight;
    };
    box.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(onResize);
    observer.observe(inner);
    observer.observe(box);
    return () => {
      box.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, []);

  /** Goes to the end and follows it again (after sending, or on "Jump to the latest"). */
  const toEnd = useCallback(() => {
    const box = scroller.current;
    stuck.current = true;
    setAwayFromEnd(false);
    if (box) box.scrollTop = box.scrollHeight;
  }, []);

  // Earlier messages were drawn above: the view goes back to where it was, before it is painted.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (anchor.current === null || !box || firstKey === undefined) return;
    box.scrollTop = box.scrollHeight - anchor.current;
    anchor.current = null;
  }, [firstKey]);

  /** Keeps what is on screen where it is while `load` puts content above it. */
  const keepPlace = useCallback(async (load: () => Promise<{ isError: boolean }>) => {
    const box = scroller.current;
    if (!box) return;
    anchor.current = box.scrollHeight - box.scrollTop;
    stuck.current = false;
    const result = await load();
    if (result.isError) anchor.current = null;
  }, []);

  return { scroller, content, awayFromEnd, toEnd, keepPlace };
}

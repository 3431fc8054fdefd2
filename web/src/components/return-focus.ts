// An inline editor replaces the button that opened it; when it closes, the keyboard focus goes back to that button,
// once the render that brings the button back is committed.
import { useEffect, useRef } from 'react';

/** `open`: whether the editor shows. Call `returnFocus()` when closing it; put `buttonRef` on the opening button. */
export function useReturnFocus(open: boolean) {
  const buttonRef = useRef<HTMLButtonElement>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (open || !pending.current) return;
    pending.current = false;
    buttonRef.current?.focus();
  }, [open]);
  return { buttonRef, returnFocus: () => (pending.current = true) };
}

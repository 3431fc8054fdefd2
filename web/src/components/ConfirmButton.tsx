// A destructive or weighty action waits for a second, explicit "yes": the question appears in place, focus moves to
// it (and back to the button on cancel or Escape), so it works from the keyboard and with a screen reader.
// Two presentations: 'box' (default) puts the question in a box below, focused as a whole, and keeps it open when
// `onConfirm` answers false so the error beside it reads in context; 'inline' replaces the button on one line and
// focuses Cancel, the safe choice (the cards of Settings).
import { useEffect, useId, useRef, useState } from 'react';
import { type Strings, useStrings } from '../i18n';
import './confirm-button.css';

const strings: Strings<{ cancel: string }> = { en: { cancel: 'Cancel' }, es: { cancel: 'Cancelar' } };

interface Props {
  /** Visible text of the first button. */
  label: string;
  /** Its accessible name when the visible text alone is ambiguous ("Delete Telegram · Shop bot"); must contain `label`. */
  accessibleName?: string;
  question: string;
  confirmLabel: string;
  /** The button that backs out; "Cancel" unless that would read as the action itself (cancelling a broadcast). */
  dismissLabel?: string;
  busyLabel?: string;
  /** Answers false to keep the question open (it failed and says so); anything else closes it. */
  onConfirm: () => Promise<boolean | void>;
  disabled?: boolean;
  danger?: boolean;
  layout?: 'box' | 'inline';
}

export function ConfirmButton({ label, accessibleName, question, confirmLabel, dismissLabel, busyLabel, onConfirm, disabled, danger, layout = 'box' }: Props) {
  const s = useStrings(strings);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const questionId = useId();
  const boxRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const inline = layout === 'inline';

  useEffect(() => {
    if (asking) (inline ? cancelRef.current : boxRef.current)?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      triggerRef.current?.focus();
    }
  }, [asking, inline]);

  if (!asking) {
    return (
      <button type="button" ref={triggerRef} className={danger ? 'danger' : undefined} aria-label={accessibleName} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }

  const cancel = () => {
    returnFocus.current = true;
    setAsking(false);
  };
  const confirm = async () => {
    setBusy(true);
    let done = true;
    try {
      done = (await onConfirm()) !== false;
    } finally {
      setBusy(false);
      if (done) setAsking(false);
    }
  };

  if (inline) {
    return (
      <span
        className="confirm"
        role="group"
        aria-label={question}
        onKeyDown={(event) => {
          if (event.key === 'Escape') cancel();
        }}
      >
        <span>{question}</span>
        <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
          {busy && busyLabel ? busyLabel : confirmLabel}
        </button>
        <button ref={cancelRef} type="button" onClick={cancel}>
          {dismissLabel ?? s.cancel}
        </button>
      </span>
    );
  }

  return (
    <div
      className="confirm-box"
      role="group"
      aria-labelledby={questionId}
      tabIndex={-1}
      ref={boxRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) cancel();
      }}
    >
      <p id={questionId}>{question}</p>
      <div className="button-row">
        <button type="button" className={danger ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
          {busy && busyLabel ? busyLabel : confirmLabel}
        </button>
        <button type="button" disabled={busy} onClick={cancel}>
          {dismissLabel ?? s.cancel}
        </button>
      </div>
    </div>
  );
}

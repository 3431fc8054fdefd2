// A button whose action waits for a second, explicit "yes": the question appears in place, with the consequences,
// and focus moves to it (and back to the button on cancel or Escape) so it works from the keyboard and with a screen reader.
import { useEffect, useId, useRef, useState } from 'react';
import { useStrings } from '../../i18n';
import { strings } from './strings';

interface Props {
  /** Visible text of the first button. */
  label: string;
  /** Its accessible name when the visible text alone is ambiguous ("Remove +51…"); must contain `label`. */
  accessibleName?: string;
  question: string;
  confirmLabel: string;
  busyLabel?: string;
  onConfirm: () => Promise<boolean>;
  disabled?: boolean;
  danger?: boolean;
}

export function ConfirmButton({ label, accessibleName, question, confirmLabel, busyLabel, onConfirm, disabled, danger }: Props) {
  const s = useStrings(strings);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const questionId = useId();
  const boxRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (asking) boxRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      triggerRef.current?.focus();
    }
  }, [asking]);

  if (!asking) {
    return (
      <button
        type="button"
        ref={triggerRef}
        className={danger ? 'danger' : undefined}
        aria-label={accessibleName}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
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
    const done = await onConfirm();
    setBusy(false);
    // On failure the question stays, so the error shown beside it reads in context and "yes" can be tried again.
    if (done) setAsking(false);
  };

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
        <button
          type="button"
          disabled={busy}
          onClick={cancel}
        >
          {s.cancel}
        </button>
      </div>
    </div>
  );
}

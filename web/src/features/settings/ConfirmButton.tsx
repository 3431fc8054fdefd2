// A destructive action asks first, in place: the question and "yes"/"cancel" replace the button, focus goes to
// "cancel" (the safe choice), Escape cancels, and focus comes back to the button afterwards.
import { useEffect, useRef, useState } from 'react';
import { useStrings } from '../../i18n';
import { strings } from './strings';

interface Props {
  /** Visible text of the button ("Delete"). */
  label: string;
  /** Its accessible name, naming the thing ("Delete Telegram · Shop bot"). */
  ariaLabel: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
}

export function ConfirmButton({ label, ariaLabel, question, confirmLabel, onConfirm }: Props) {
  const s = useStrings(strings);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      trigger.current?.focus();
    }
  }, [asking]);

  const close = () => {
    returnFocus.current = true;
    setAsking(false);
  };

  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  if (!asking) {
    return (
      <button ref={trigger} type="button" className="danger" aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <span>{question}</span>
      <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
        {confirmLabel}
      </button>
      <button ref={cancel} type="button" onClick={close}>
        {s.cancel}
      </button>
    </span>
  );
}

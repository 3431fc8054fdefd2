// The end of a form that is saved whole: what went wrong, a status line once it is saved (announced by screen
// readers), and the submit button for those allowed to save, with any follow-up action beside it. The form keeps
// its own state and texts.
import type { ReactNode } from 'react';
import { ErrorNote } from './ErrorNote';

interface Props {
  error: unknown;
  /** What the status line says once saved ("Saved", "Ana was added"); nothing before. */
  status: ReactNode;
  busy: boolean;
  /** Text of the submit button, and while the save is under way. */
  label: string;
  busyLabel: string;
  /** Whether this person may save; the error and status lines are shown either way. */
  canSave?: boolean;
  /** Keeps the button off for another reason (the form is still loading). */
  disabled?: boolean;
  /** Beside the button: a link to what was just created, say. */
  children?: ReactNode;
}

export function FormSaveRow({ error, status, busy, label, busyLabel, canSave = true, disabled = false, children }: Props) {
  return (
    <>
      <ErrorNote error={error} />
      <p role="status" className="saved">
        {status}
      </p>
      {canSave && (
        <div className="card-actions">
          <button type="submit" className="primary" disabled={busy || disabled}>
            {busy ? busyLabel : label}
          </button>
          {children}
        </div>
      )}
    </>
  );
}

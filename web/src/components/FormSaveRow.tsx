// The end of a form that is saved whole: what went wrong, a status line that says "Saved" once it is (announced by
// screen readers), and the submit button for those allowed to save. The form keeps its own state and texts.
import { ErrorNote } from './ErrorNote';

interface Props {
  error: unknown;
  saved: boolean;
  savedLabel: string;
  busy: boolean;
  /** Text of the submit button, and while the save is under way. */
  label: string;
  busyLabel: string;
  /** Whether this person may save; the error and status lines are shown either way. */
  canSave: boolean;
}

export function FormSaveRow({ error, saved, savedLabel, busy, label, busyLabel, canSave }: Props) {
  return (
    <>
      <ErrorNote error={error} />
      <p role="status" className="saved">
        {saved && savedLabel}
      </p>
      {canSave && (
        <div className="card-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? busyLabel : label}
          </button>
        </div>
      )}
    </>
  );
}

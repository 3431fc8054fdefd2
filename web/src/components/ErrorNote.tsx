// An error as the business owner should read it: what happened, in the server's words, and never a stack trace.
import { ApiError } from '../api';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong in the inbox. Reload the page; nothing you sent was lost.';
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {errorText(error)}
    </p>
  );
}

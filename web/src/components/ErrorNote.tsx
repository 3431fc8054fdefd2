// An error shown where it happened, in the staff's language (error-text.ts).
import { useLanguage } from '../i18n';
import { errorText } from './error-text';

export function ErrorNote({ error }: { error: unknown }) {
  const { language } = useLanguage();
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {errorText(error, language)}
    </p>
  );
}

// Erasing a customer at their request (GDPR "right to be forgotten"): everything Lifeline holds about them goes, at
// once and for good. For owners and admins, and asked first, saying what goes and what Lifeline cannot erase.
import { useState } from 'react';
import { del } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/ErrorNote';
import { fill, useLanguage, useStrings } from '../../i18n';
import { navigate } from '../../router';
import { canAdmin, useSession } from '../../session';
import type { Contact } from '../../types';
import { contactDisplayName } from './shared-handles';
import { strings } from './strings';

export function EraseCustomer({ contact }: { contact: Contact }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const [error, setError] = useState<unknown>(null);
  if (!canAdmin(user)) return null;
  const name = contactDisplayName(contact, s.unnamed, language);

  const erase = async (): Promise<boolean> => {
    setError(null);
    try {
      await del(`/contacts/${encodeURIComponent(contact.id)}?erase=true`);
      navigate('/', { replace: true });
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  };

  return (
    <section className="customer-section erase-customer" aria-label={s.eraseTitle}>
      <ConfirmButton
        danger
        label={s.erase}
        accessibleName={fill(s.eraseWho, { name })}
        question={fill(s.eraseQuestion, { name })}
        confirmLabel={s.eraseConfirm}
        busyLabel={s.erasing}
        onConfirm={erase}
      />
      <ErrorNote error={error} />
    </section>
  );
}

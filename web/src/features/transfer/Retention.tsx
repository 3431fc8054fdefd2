// Retention: how many days messages are kept (deleted daily after that), or forever. GET/PUT /workspace/retention.
import { type FormEvent, useEffect, useState } from 'react';
import { get, put } from '../../api';
import { FormSaveRow } from '../../components/FormSaveRow';
import { useStrings } from '../../i18n';
import { strings } from './strings';

export function Retention() {
  const s = useStrings(strings);
  const [loaded, setLoaded] = useState(false);
  const [limited, setLimited] = useState(false);
  const [days, setDays] = useState('365');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    get<{ retentionDays: number | null }>('/workspace/retention').then(
      ({ retentionDays }) => {
        setLimited(retentionDays !== null);
        if (retentionDays !== null) setDays(String(retentionDays));
        setLoaded(true);
      },
      (caught: unknown) => setError(caught),
    );
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const { retentionDays } = await put<{ retentionDays: number | null }>('/workspace/retention', { retentionDays: limited ? Number(days) : null });
      setLimited(retentionDays !== null);
      if (retentionDays !== null) setDays(String(retentionDays));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="retention-title" className="settings-card">
      <h3 id="retention-title">{s.retentionTitle}</h3>
      <p className="muted card-note">{s.retentionIntro}</p>
      <form onSubmit={submit} onChange={() => setSaved(false)} aria-labelledby="retention-title">
        <fieldset disabled={!loaded || busy} className="plain">
          <label className="checkbox">
            <input type="radio" name="retention" checked={!limited} onChange={() => setLimited(false)} />
            {s.retentionForever}
          </label>
          <label className="checkbox">
            <input type="radio" name="retention" checked={limited} onChange={() => setLimited(true)} />
            {s.retentionLimited}
          </label>
          {limited && (
            <label>
              {s.retentionDays}
              <input type="number" inputMode="numeric" min={1} max={36500} required value={days} onChange={(event) => setDays(event.target.value)} />
              <small>{s.retentionHint}</small>
            </label>
          )}
        </fieldset>
        <FormSaveRow error={error} status={saved && s.saved} busy={busy} disabled={!loaded} label={s.saveRetention} busyLabel={s.saving} />
      </form>
    </section>
  );
}

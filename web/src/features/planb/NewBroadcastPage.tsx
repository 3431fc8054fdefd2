// New broadcast (/broadcasts/new): a name for the team, who gets it (tags, chosen customers, or everyone, optionally
// only those active lately), the text, optional per-channel variants (an SMS text, an email subject and text, a
// WhatsApp template), channels never to use, when to start, and whether it is marketing (consent "granted" only).
import { type FormEvent, useEffect, useId, useState } from 'react';
import { get, post } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { Link, navigate } from '../../router';
import type { Contact } from '../../types';
import './planb.css';
import { strings } from './strings';

interface Variant {
  text: string;
  subject: string;
  templateName: string;
  templateLanguage: string;
}

const EMPTY_VARIANT: Variant = { text: '', subject: '', templateName: '', templateLanguage: '' };

/** Tags typed as "vip, lima; mayorista": split on commas and semicolons, trimmed, without repeats. */
function parseTags(text: string): string[] {
  return [...new Set(text.split(/[,;]/).map((t) => t.trim()).filter(Boolean))];
}

/** datetime-local ("2026-11-24T09:30", the browser's time zone) → ISO 8601 with the offset, as the API wants it. */
function localToIso(value: string): string | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function NewBroadcastPage() {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels } = useChannels();
  const kinds = [...new Set(channels.map((c) => c.kind))].filter((k) => k !== 'webchat');
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [everyone, setEveryone] = useState(false);
  const [chosen, setChosen] = useState<{ id: string; label: string }[]>([]);
  const [activeDays, setActiveDays] = useState('');
  const [text, setText] = useState('');
  const [variants, setVariants] = useState<Record<string, Variant>>({});
  const [excluded, setExcluded] = useState<string[]>([]);
  const [later, setLater] = useState(false);
  const [startAt, setStartAt] = useState('');
  const [purpose, setPurpose] = useState<'transactional' | 'marketing'>('transactional');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [audienceMissing, setAudienceMissing] = useState(false);
  const audienceHintId = useId();

  const variantBody = () => {
    const body: Record<string, Record<string, unknown>> = {};
    for (const [kind, v] of Object.entries(variants)) {
      const variant: Record<string, unknown> = {};
      if (v.text.trim()) variant.text = v.text;
      if (kind === 'email' && v.subject.trim()) variant.subject = v.subject.trim();
      if (kind === 'whatsapp' && v.templateName.trim()) variant.template = { name: v.templateName.trim(), language: v.templateLanguage.trim() || language };
      if (Object.keys(variant).length > 0) body[kind] = variant;
    }
    return body;
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const tagList = parseTags(tags);
    if (!everyone && tagList.length === 0 && chosen.length === 0) {
      setAudienceMissing(true);
      document.getElementById('broadcast-tags')?.focus();
      return;
    }
    setAudienceMissing(false);
    setBusy(true);
    setError(null);
    const days = Number(activeDays);
    const notBefore = later ? localToIso(startAt) : null;
    const variantsToSend = variantBody();
    try {
      const created = await post<{ id: string }>('/broadcasts', {
        name: name.trim(),
        audience: {
          ...(everyone ? { all: true } : {}),
          ...(tagList.length ? { tags: tagList } : {}),
          ...(chosen.length ? { contactIds: chosen.map((c) => c.id) } : {}),
          ...(activeDays.trim() && days > 0 ? { filter: { activeWithinDays: days } } : {}),
        },
        text,
        ...(Object.keys(variantsToSend).length ? { variants: variantsToSend } : {}),
        ...(excluded.length ? { excludeChannels: excluded } : {}),
        ...(notBefore ? { notBefore } : {}),
        purpose,
      });
      navigate(`/broadcasts/${created.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const setVariant = (kind: string, patch: Partial<Variant>) => setVariants((current) => ({ ...current, [kind]: { ...EMPTY_VARIANT, ...current[kind], ...patch } }));

  return (
    <main className="planb" aria-labelledby="new-broadcast-title">
      <Link to="/broadcasts">{s.backToBroadcasts}</Link>
      <h1 id="new-broadcast-title">{s.newBroadcast}</h1>
      <form onSubmit={submit} aria-labelledby="new-broadcast-title">
        <fieldset disabled={busy} className="plain">
          <div className="card">
            <label>
              {s.broadcastName}
              <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} />
              <small>{s.broadcastNameHint}</small>
            </label>
          </div>

          <fieldset className="card">
            <legend>{s.audience}</legend>
            <label>
              {s.audienceTagsLabel}
              <input
                id="broadcast-tags"
                value={tags}
                onChange={(event) => setTags(event.target.value)}
                placeholder="vip, lima"
                aria-describedby={audienceHintId}
                aria-invalid={audienceMissing || undefined}
              />
              <small>{s.audienceTagsHint}</small>
            </label>
            <ContactPicker chosen={chosen} onChange={setChosen} />
            <label className="checkbox">
              <input type="checkbox" checked={everyone} onChange={(event) => setEveryone(event.target.checked)} />
              {s.audienceEveryone}
            </label>
            <label>
              {s.audienceActive} <span className="optional">({s.optional})</span>
              <input type="number" inputMode="numeric" min={1} max={3650} value={activeDays} onChange={(event) => setActiveDays(event.target.value)} />
              <small>{s.audienceActiveHint}</small>
            </label>
            <p id={audienceHintId} className={audienceMissing ? 'field-error' : 'muted'} role={audienceMissing ? 'alert' : undefined}>
              {audienceMissing ? s.audienceMissing : s.audienceHint}
            </p>
          </fieldset>

          <div className="card">
            <label>
              {s.messageLabel}
              <textarea value={text} onChange={(event) => setText(event.target.value)} required maxLength={20000} rows={4} />
              <small>{s.messageHint}</small>
            </label>
          </div>

          {kinds.length > 0 && (
            <details className="card">
              <summary>{s.variantsTitle}</summary>
              <p className="muted">{s.variantsHint}</p>
              {kinds.map((kind) => {
                const channel = channelName(kind, language);
                const v = variants[kind] ?? EMPTY_VARIANT;
                return (
                  <fieldset key={kind} className="variant-fields">
                    <legend>{channel}</legend>
                    {kind === 'email' && (
                      <label>
                        {s.variantSubjectLabel}
                        <input value={v.subject} maxLength={300} onChange={(event) => setVariant(kind, { subject: event.target.value })} />
                      </label>
                    )}
                    {kind === 'whatsapp' && (
                      <div className="form-row">
                        <label>
                          {s.variantTemplateName}
                          <input value={v.templateName} maxLength={200} onChange={(event) => setVariant(kind, { templateName: event.target.value })} />
                        </label>
                        <label>
                          {s.variantTemplateLanguage}
                          <input value={v.templateLanguage} maxLength={20} placeholder={language} onChange={(event) => setVariant(kind, { templateLanguage: event.target.value })} />
                        </label>
                      </div>
                    )}
                    <label>
                      {fill(s.variantTextLabel, { channel })}
                      <textarea rows={2} maxLength={20000} value={v.text} onChange={(event) => setVariant(kind, { text: event.target.value })} />
                    </label>
                  </fieldset>
                );
              })}
              <fieldset className="variant-fields">
                <legend>{s.excludeTitle}</legend>
                {kinds.map((kind) => (
                  <label key={kind} className="checkbox">
                    <input
                      type="checkbox"
                      checked={excluded.includes(kind)}
                      onChange={(event) => setExcluded((current) => (event.target.checked ? [...current, kind] : current.filter((k) => k !== kind)))}
                    />
                    {fill(s.excludeKind, { channel: channelName(kind, language) })}
                  </label>
                ))}
              </fieldset>
            </details>
          )}

          <fieldset className="card">
            <legend>{s.whenToSend}</legend>
            <label className="checkbox">
              <input type="radio" name="when" checked={!later} onChange={() => setLater(false)} />
              {s.sendNow}
            </label>
            <label className="checkbox">
              <input type="radio" name="when" checked={later} onChange={() => setLater(true)} />
              {s.sendLater}
            </label>
            {later && (
              <label>
                {s.startAtLabel}
                <input type="datetime-local" value={startAt} required onChange={(event) => setStartAt(event.target.value)} />
                <small>{s.startAtHint}</small>
              </label>
            )}
          </fieldset>

          <div className="card">
            <label>
              {s.purpose}
              <select value={purpose} onChange={(event) => setPurpose(event.target.value as 'transactional' | 'marketing')}>
                <option value="transactional">{s.purposeTransactional}</option>
                <option value="marketing">{s.purposeMarketing}</option>
              </select>
              <small>{purpose === 'marketing' ? s.purposeMarketingHint : s.purposeTransactionalHint}</small>
            </label>
          </div>
        </fieldset>
        <ErrorNote error={error} />
        <div className="card-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? s.sending : later ? s.scheduleBroadcast : s.sendBroadcast}
          </button>
        </div>
      </form>
    </main>
  );
}

/** Customers picked one by one: search by name, phone or email, add from the results, remove from the list. */
function ContactPicker({ chosen, onChange }: { chosen: { id: string; label: string }[]; onChange: (chosen: { id: string; label: string }[]) => void }) {
  const s = useStrings(strings);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ id: string; label: string }[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const text = query.trim();
    if (text.length < 2) {
      setResults([]);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      get<{ items: Contact[] }>(`/contacts?limit=8&query=${encodeURIComponent(text)}`).then(
        (page) => {
          if (stale) return;
          setError(null);
          setResults(page.items.map((c) => ({ id: c.id, label: [c.name, c.identities[0]?.value].filter(Boolean).join(' · ') || c.id })));
        },
        (caught: unknown) => !stale && setError(caught),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [query]);

  const offered = results.filter((r) => !chosen.some((c) => c.id === r.id));
  return (
    <div className="contact-picker">
      <label>
        {s.audienceContactsLabel}
        <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder={s.audienceContactsPlaceholder} />
      </label>
      <ErrorNote error={error} />
      {offered.length > 0 && (
        <ul className="picker-results" aria-label={s.audienceContactsResults}>
          {offered.map((result) => (
            <li key={result.id}>
              <span>{result.label}</span>
              <button type="button" aria-label={fill(s.addWho, { who: result.label })} onClick={() => onChange([...chosen, result])}>
                {s.add}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen.length > 0 && (
        <ul className="picker-chosen" aria-label={s.audienceContactsChosen}>
          {chosen.map((contact) => (
            <li key={contact.id}>
              <span>{contact.label}</span>
              <button type="button" aria-label={fill(s.removeWho, { who: contact.label })} onClick={() => onChange(chosen.filter((c) => c.id !== contact.id))}>
                {s.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

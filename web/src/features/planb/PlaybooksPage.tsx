// Playbooks (/plan-b/playbooks): when Lifeline opens an incident, whom it alerts, and what it does for customers —
// the default playbook and, for particular channel kinds, one that replaces it. Every action is a labelled
// checkbox with its text (empty = Lifeline's default text, shown as the placeholder). Saved whole with PUT.
import { type FormEvent, useEffect, useState } from 'react';
import { get, put } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { FormSaveRow } from '../../components/FormSaveRow';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { Link } from '../../router';
import { canAdmin, useSession } from '../../session';
import './planb.css';
import { formToSettings, type PlaybookForm, type SettingsForm, settingsToForm } from './playbook-form';
import { strings } from './strings';
import type { IncidentSettings } from './types';

const KINDS = ['whatsapp', 'messenger', 'instagram', 'telegram', 'viber', 'twilio-sms', 'email', 'webchat', 'voice'];

export function PlaybooksPage() {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user } = useSession();
  const { channels } = useChannels();
  const admin = canAdmin(user);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [newKind, setNewKind] = useState('');

  useEffect(() => {
    get<IncidentSettings>('/playbooks').then(
      (settings) => setForm(settingsToForm(settings)),
      (caught: unknown) => setLoadError(caught),
    );
  }, []);

  if (!form) {
    return (
      <main className="planb">
        <Link to="/plan-b">{s.backToPlanB}</Link>
        {loadError ? <ErrorNote error={loadError} /> : <p className="muted">{s.loading}</p>}
      </main>
    );
  }

  const change = (next: Partial<SettingsForm>) => {
    setSaved(false);
    setForm({ ...form, ...next });
  };
  // Channel kinds connected here come first among those that can get their own playbook.
  const connected = [...new Set(channels.map((c) => c.kind))];
  const free = [...connected, ...KINDS.filter((k) => !connected.includes(k))].filter((k) => !form.byKind.some((entry) => entry.kind === k));
  const kindToAdd = free.includes(newKind) ? newKind : (free[0] ?? '');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      setForm(settingsToForm(await put<IncidentSettings>('/playbooks', formToSettings(form))));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="planb" aria-labelledby="playbooks-title">
      <Link to="/plan-b">{s.backToPlanB}</Link>
      <h1 id="playbooks-title">{s.playbooksTitle}</h1>
      <p className="muted">{s.playbooksIntro}</p>
      {!admin && <p className="muted">{s.playbooksReadOnly}</p>}
      <form onSubmit={submit}>
        <fieldset disabled={!admin || busy} className="plain">
          <fieldset className="card">
            <legend>{s.whenTitle}</legend>
            <div className="form-row">
              <label>
                {s.openAfter}
                <input type="number" inputMode="numeric" min={1} max={86400} required value={form.openAfterSeconds} onChange={(event) => change({ openAfterSeconds: event.target.value })} />
                <small>{s.openAfterHint}</small>
              </label>
              <label>
                {s.closeAfter}
                <input type="number" inputMode="numeric" min={1} max={86400} required value={form.closeAfterSeconds} onChange={(event) => change({ closeAfterSeconds: event.target.value })} />
                <small>{s.closeAfterHint}</small>
              </label>
              <label>
                {s.activeWithin}
                <input type="number" inputMode="numeric" min={1} max={365} required value={form.activeWithinDays} onChange={(event) => change({ activeWithinDays: event.target.value })} />
                <small>{s.activeWithinHint}</small>
              </label>
              <label>
                {s.textLanguage}
                <select value={form.language} onChange={(event) => change({ language: event.target.value as 'en' | 'es' })}>
                  <option value="en">English</option>
                  <option value="es">Español</option>
                </select>
                <small>{s.textLanguageHint}</small>
              </label>
            </div>
          </fieldset>

          <fieldset className="card">
            <legend>{s.alertsTitle}</legend>
            <p className="muted">{s.alertsHint}</p>
            <div className="form-row">
              <label>
                {s.alertEmail}
                <input type="email" autoComplete="email" value={form.alertEmail} onChange={(event) => change({ alertEmail: event.target.value })} />
              </label>
              <label>
                {s.alertPhone}
                <input type="tel" autoComplete="tel" placeholder="+51987654321" value={form.alertPhone} onChange={(event) => change({ alertPhone: event.target.value })} />
              </label>
            </div>
          </fieldset>

          <PlaybookFields title={s.defaultPlaybook} hint={s.defaultPlaybookHint} playbook={form.playbook} onChange={(playbook) => change({ playbook })} />

          {form.byKind.map((entry, index) => {
            const name = channelName(entry.kind, language);
            return (
              <PlaybookFields
                key={entry.kind}
                title={fill(s.kindPlaybook, { channel: name })}
                hint={fill(s.kindPlaybookHint, { channel: name })}
                playbook={entry.playbook}
                onChange={(playbook) => change({ byKind: form.byKind.map((e, i) => (i === index ? { ...e, playbook } : e)) })}
                onRemove={() => change({ byKind: form.byKind.filter((_, i) => i !== index) })}
                removeLabel={fill(s.removeKindPlaybook, { channel: name })}
              />
            );
          })}

          {admin && free.length > 0 && (
            <div className="card add-kind">
              <label className="inline">
                {s.addKindPlaybook}
                <select value={kindToAdd} onChange={(event) => setNewKind(event.target.value)}>
                  {free.map((kind) => (
                    <option key={kind} value={kind}>
                      {channelName(kind, language)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => change({ byKind: [...form.byKind, { kind: kindToAdd, playbook: { ...form.playbook } }] })}>
                {s.addKindPlaybookButton}
              </button>
            </div>
          )}
        </fieldset>
        <FormSaveRow error={error} status={saved && s.saved} busy={busy} label={s.savePlaybooks} busyLabel={s.saving} canSave={admin} />
      </form>
    </main>
  );
}

function PlaybookFields({
  title,
  hint,
  playbook,
  onChange,
  onRemove,
  removeLabel,
}: {
  title: string;
  hint: string;
  playbook: PlaybookForm;
  onChange: (playbook: PlaybookForm) => void;
  onRemove?: () => void;
  removeLabel?: string;
}) {
  const s = useStrings(strings);
  const set = <K extends keyof PlaybookForm>(key: K, value: Partial<PlaybookForm[K]>) => onChange({ ...playbook, [key]: { ...playbook[key], ...value } });
  const texts = [
    { key: 'notify', label: s.playNotify, text: s.playNotifyText, rows: 3, max: 1000, placeholder: s.playNotifyDefault },
    { key: 'notice', label: s.playNotice, text: s.playNoticeText, rows: 2, max: 300, placeholder: s.playNoticeDefault },
    { key: 'autoReply', label: s.playAutoReply, text: s.playAutoReplyText, rows: 3, max: 1000, placeholder: s.playAutoReplyDefault },
  ] as const;

  return (
    <fieldset className="card playbook">
      <legend>{title}</legend>
      <p className="muted">{hint}</p>
      {texts.map((item) => (
        <div key={item.key} className="play-action">
          <label className="checkbox">
            <input type="checkbox" checked={playbook[item.key].enabled} onChange={(event) => set(item.key, { enabled: event.target.checked })} />
            {item.label}
          </label>
          <label>
            {item.text}
            <textarea rows={item.rows} maxLength={item.max} value={playbook[item.key].text} placeholder={item.placeholder} onChange={(event) => set(item.key, { text: event.target.value })} />
          </label>
        </div>
      ))}
      <div className="play-action">
        <label className="checkbox">
          <input type="checkbox" checked={playbook.callList.enabled} onChange={(event) => set('callList', { enabled: event.target.checked })} />
          {s.playCallList}
        </label>
      </div>
      <div className="play-action">
        <label className="checkbox">
          <input type="checkbox" checked={playbook.recovery.enabled} onChange={(event) => set('recovery', { enabled: event.target.checked })} />
          {s.playRecovery}
        </label>
        <label>
          {s.playRecoveryText}
          <textarea rows={2} maxLength={1000} value={playbook.recovery.text} placeholder={s.playRecoveryDefault} onChange={(event) => set('recovery', { text: event.target.value })} />
        </label>
      </div>
      <small className="muted">{s.textsHint}</small>
      {onRemove && (
        <div className="card-actions">
          <button type="button" onClick={onRemove}>
            {removeLabel}
          </button>
        </div>
      )}
    </fieldset>
  );
}


// "Add a channel": pick a kind, then fill a form generated from that kind's credential fields (GET /channel-kinds),
// so a new adapter needs no change here. The server's validation names the bad field; its message goes beside it.
// The same form edits a channel's settings (a token that expired, a new sender), starting from the saved ones.
import { type FormEvent, Fragment, useEffect, useId, useRef, useState } from 'react';
import { ApiError, get, patch, post } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, type Language, useLanguage, useStrings } from '../../i18n';
import type { Channel } from '../../types';
import {
  type ChannelKind,
  configFromForm,
  configPatchFromForm,
  configValue,
  fieldErrorsOf,
  type FormValue,
  groupFields,
  humanizeFieldName,
  initialValues,
  type KindField,
  NO_WEBHOOK,
  valuesFromConfig,
  WEBHOOK_SET_ITSELF,
} from './channel-config';
import { CopyableValue } from './CopyableValue';
import { strings } from './strings';

function kindName(kind: ChannelKind, language: Language): string {
  const known = channelName(kind.kind, language);
  return known === kind.kind ? kind.name : known;
}

/** The kinds of channel and their fields (GET /channel-kinds), or the error that kept them from loading. */
function useChannelKinds(): { kinds: ChannelKind[] | null; loadError: unknown } {
  const [kinds, setKinds] = useState<ChannelKind[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    get<{ items: ChannelKind[] }>('/channel-kinds').then(
      (answer) => setKinds(answer.items),
      (error: unknown) => setLoadError(error),
    );
  }, []);
  return { kinds, loadError };
}

export function AddChannel({ onCreated, onCancel }: { onCreated: (channel: Channel) => void; onCancel: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { kinds, loadError } = useChannelKinds();
  const [kind, setKind] = useState('');
  const chosen = kinds?.find((k) => k.kind === kind);

  return (
    <section className="settings-card add-channel" aria-labelledby="add-channel-title">
      <h3 id="add-channel-title">{s.addChannelTitle}</h3>
      <ErrorNote error={loadError} />
      {!kinds && !loadError && <p className="muted">{s.loading}</p>}
      {kinds && (
        <label>
          {s.channelKind}
          <select name="kind" value={kind} onChange={(event) => setKind(event.target.value)} autoFocus>
            <option value="">{s.pickKind}</option>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {kindName(k, language)}
              </option>
            ))}
          </select>
        </label>
      )}
      {chosen ? (
        <ChannelForm key={chosen.kind} kind={chosen} kindLabel={kindName(chosen, language)} onSaved={onCreated} onCancel={onCancel} />
      ) : (
        <div className="card-actions">
          <button type="button" onClick={onCancel}>
            {s.cancel}
          </button>
        </div>
      )}
    </section>
  );
}

/** A channel's settings, for editing: the form starts from them, and secrets left empty keep their saved value. */
export function EditChannel({ channel, onSaved, onCancel }: { channel: Channel; onSaved: (channel: Channel) => void; onCancel: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { kinds, loadError } = useChannelKinds();
  const kind = kinds?.find((k) => k.kind === channel.kind);
  return (
    <div className="edit-channel">
      <ErrorNote error={loadError} />
      {!kinds && !loadError && <p className="muted">{s.loading}</p>}
      {kind && <ChannelForm kind={kind} kindLabel={kindName(kind, language)} channel={channel} onSaved={onSaved} onCancel={onCancel} />}
    </div>
  );
}

function ChannelForm(props: { kind: ChannelKind; kindLabel: string; channel?: Channel; onSaved: (channel: Channel) => void; onCancel: () => void }) {
  const { kind, kindLabel, channel, onSaved, onCancel } = props;
  const s = useStrings(strings);
  const formId = useId();
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(channel?.name ?? kindLabel);
  const [initial] = useState(() => (channel ? valuesFromConfig(kind.fields, channel.config) : initialValues(kind.fields)));
  const [values, setValues] = useState(initial);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      onSaved(
        channel
          ? await patch<Channel>(`/channels/${channel.id}`, { name: name.trim(), config: configPatchFromForm(kind.fields, values, initial) })
          : await post<Channel>('/channels', { kind: kind.kind, name: name.trim(), config: configFromForm(kind.fields, values) }),
      );
    } catch (caught) {
      setError(caught);
      const errors = caught instanceof ApiError ? fieldErrorsOf(kind.fields, caught.details, s.fieldRequired) : {};
      setFieldErrors(errors);
      // Take the keyboard to the first field the server named, so it can be corrected at once.
      const first = kind.fields.find((f) => f.name in errors);
      if (first) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(first.name)}"]`)?.focus());
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={form} onSubmit={submit} aria-label={fill(s.channelFormLabel, { kind: kindLabel })}>
      <label>
        {s.channelName}
        <input name="name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
        <small>{s.channelNameHint}</small>
      </label>
      {groupFields(kind.fields).map(({ group, fields }) => {
        const inputs = fields.map((field) => (
          <FieldInput
            key={field.name}
            id={`${formId}-${field.name}`}
            field={field}
            label={fieldLabel(s.fieldLabels, field.name, group)}
            value={values[field.name]}
            keepsSecret={channel !== undefined && field.secret && configValue(channel.config, field.name) !== undefined}
            error={fieldErrors[field.name]}
            onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
          />
        ));
        if (group === null) return <Fragment key={fields[0]!.name}>{inputs}</Fragment>;
        // A nested object (email's smtp, imap): its fields together, and said to be optional when none is required.
        return (
          <fieldset key={group} className="field-group">
            <legend>
              {s.fieldLabels[group] ?? humanizeFieldName(group)}
              {!fields.some((f) => f.required) && <span className="optional"> ({s.optional})</span>}
            </legend>
            {inputs}
          </fieldset>
        );
      })}
      <ErrorNote error={error} />
      <div className="card-actions">
        <button type="submit" className="primary" disabled={busy}>
          {channel ? (busy ? s.saving : s.saveChanges) : busy ? s.connecting : fill(s.connectKind, { kind: kindLabel })}
        </button>
        <button type="button" onClick={onCancel}>
          {s.cancel}
        </button>
      </div>
    </form>
  );
}

/** The translated label of a field, by its full name or its name inside the group ("smtp.host" → "host"). */
function fieldLabel(labels: Record<string, string>, name: string, group: string | null): string {
  const inner = group === null ? name : name.slice(group.length + 1);
  return labels[name] ?? labels[inner] ?? humanizeFieldName(inner);
}

function FieldInput(props: {
  id: string;
  field: KindField;
  label: string;
  value: FormValue | undefined;
  /** Editing: the secret is saved, and empty keeps it. */
  keepsSecret: boolean;
  error: string | undefined;
  onChange: (value: FormValue) => void;
}) {
  const { id, field, label, value, keepsSecret, error, onChange } = props;
  const required = field.required && !keepsSecret;
  const s = useStrings(strings);
  const hint = [
    s.fieldHints[field.name] ?? field.description,
    field.multiple ? s.onePerLine : null,
    field.default !== undefined && field.type !== 'boolean' && field.type !== 'enum' ? fill(s.defaultIs, { value: String(field.default) }) : null,
  ]
    .filter(Boolean)
    .join(' ');
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const common = {
    id,
    name: field.name,
    'data-field': field.name,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
    'aria-invalid': error ? true : undefined,
  };
  const notes = (
    <>
      {error && (
        <small id={errorId} className="field-error">
          {error}
        </small>
      )}
      {hint && <small id={hintId}>{hint}</small>}
    </>
  );

  if (field.type === 'boolean') {
    return (
      <div className="field">
        <label className="checkbox">
          <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
          {label}
        </label>
        {notes}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span className="required"> ({s.required})</span> : !keepsSecret && <span className="optional"> ({s.optional})</span>}
      </label>
      {field.type === 'enum' ? (
        <select {...common} value={text} required={field.required} onChange={(event) => onChange(event.target.value)}>
          {!field.required && <option value="">{field.default !== undefined ? fill(s.defaultOption, { value: String(field.default) }) : s.providerDefault}</option>}
          {(field.options ?? []).map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : field.multiple ? (
        <textarea {...common} rows={3} spellCheck={false} required={field.required} value={text} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input
          {...common}
          type={field.secret ? 'password' : field.type === 'number' ? 'number' : 'text'}
          autoComplete={field.secret ? 'new-password' : 'off'}
          spellCheck={false}
          required={required}
          placeholder={keepsSecret ? s.secretKept : field.default !== undefined ? String(field.default) : undefined}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      {notes}
    </div>
  );
}

/** After creation: the URL to paste at the provider, before anything else. */
export function ChannelCreated({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const title = `${channelName(channel.kind, language)} · ${channel.name}`;
  return (
    <section className="settings-card created" aria-labelledby="channel-created" data-testid="channel-created">
      <h3 id="channel-created" ref={heading} tabIndex={-1}>
        {fill(s.channelCreated, { what: title })}
      </h3>
      {channel.embedCode ? (
        <>
          <p>{s.pasteEmbed}</p>
          <CopyableValue label={s.embedCode} value={channel.embedCode} />
        </>
      ) : (
        <p>{WEBHOOK_SET_ITSELF.has(channel.kind) ? s.webhookSetItself : NO_WEBHOOK.has(channel.kind) ? s.noWebhookNeeded : s.pasteWebhook}</p>
      )}
      {!NO_WEBHOOK.has(channel.kind) && <CopyableValue label={WEBHOOK_SET_ITSELF.has(channel.kind) ? s.webhookUrlRegistered : s.webhookUrl} value={channel.webhookUrl} />}
      <div className="card-actions">
        <button type="button" onClick={onDone}>
          {s.done}
        </button>
      </div>
    </section>
  );
}

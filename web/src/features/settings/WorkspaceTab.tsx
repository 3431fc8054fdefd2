// Settings › Workspace: the business's name and public slug, the country for phone numbers written without a country
// code, its time zone, the order Auto tries channels in, and quiet hours. Saved together with one PATCH /workspace.
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { patch } from '../../api';
import { useChannels } from '../../channels';
import { FormSaveRow } from '../../components/FormSaveRow';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Workspace } from '../../types';
import { moveItem } from './channel-order';
import { strings } from './strings';

const SLUG_PATTERN = '[a-z0-9](?:[a-z0-9\\-]{0,62}[a-z0-9])?';

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

function countryName(code: string, language: string): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  try {
    const name = new Intl.DisplayNames([language], { type: 'region' }).of(code);
    return name && name !== code ? name : null;
  } catch {
    return null;
  }
}

export function WorkspaceTab() {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { user, workspace, reloadWorkspace } = useSession();
  const { channels } = useChannels();
  const admin = canAdmin(user);
  const zones = useMemo(timeZones, []);

  const [name, setName] = useState(workspace.name);
  const [slug, setSlug] = useState(workspace.slug ?? '');
  const [region, setRegion] = useState(workspace.defaultRegion ?? '');
  const [timezone, setTimezone] = useState(workspace.timezone);
  const [order, setOrder] = useState(workspace.settings.channelOrder);
  const [quiet, setQuiet] = useState(workspace.settings.quietHours ?? null);
  const [quietStart, setQuietStart] = useState(workspace.settings.quietHours?.start ?? '21:00');
  const [quietEnd, setQuietEnd] = useState(workspace.settings.quietHours?.end ?? '08:00');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const connected = new Set(channels.map((c) => c.kind));
  // A connected kind missing from the stored order would never be tried by Auto: offer it at the end.
  const fullOrder = [...order, ...[...connected].filter((kind) => !order.includes(kind))];
  const country = countryName(region.toUpperCase(), language);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    const body: Record<string, unknown> = {
      name: name.trim(),
      defaultRegion: region.trim() ? region.trim().toUpperCase() : null,
      timezone: timezone.trim(),
      settings: { channelOrder: fullOrder, quietHours: quiet ? { start: quietStart, end: quietEnd } : null },
    };
    if (workspace.slug !== undefined && slug.trim() !== workspace.slug) body.slug = slug.trim();
    try {
      await patch<Workspace>('/workspace', body);
      await reloadWorkspace();
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="settings-workspace">
      <h2 id="settings-workspace">{s.workspaceTitle}</h2>
      {!admin && <p className="muted">{s.workspaceReadOnly}</p>}
      <form onSubmit={submit} onChange={() => setSaved(false)}>
        <fieldset disabled={!admin || busy} className="plain">
          <div className="settings-card form-grid">
            <label>
              {s.workspaceName}
              <input name="name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} />
            </label>
            {workspace.slug !== undefined && (
              <label>
                {s.slug}
                <input
                  name="slug"
                  value={slug}
                  onChange={(event) => setSlug(event.target.value.toLowerCase())}
                  required
                  maxLength={64}
                  pattern={SLUG_PATTERN}
                  spellCheck={false}
                  autoCapitalize="none"
                  aria-describedby="workspace-slug-hint"
                />
                <small id="workspace-slug-hint">
                  {fill(s.slugHint, { url: `${location.origin}/c/${slug || '…'}` })}
                </small>
              </label>
            )}
            <label>
              {s.region}
              <input
                name="defaultRegion"
                value={region}
                onChange={(event) => setRegion(event.target.value.toUpperCase())}
                maxLength={2}
                pattern="[A-Za-z]{2}"
                autoComplete="off"
                aria-describedby="workspace-region-hint"
              />
              <small id="workspace-region-hint">{region ? (country ?? s.regionUnknown) : s.regionNone}</small>
            </label>
            <label>
              {s.timezone}
              <input name="timezone" value={timezone} onChange={(event) => setTimezone(event.target.value)} list="workspace-zones" required spellCheck={false} />
              <datalist id="workspace-zones">
                {zones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
              <small>{s.timezoneHint}</small>
            </label>
          </div>

          <ChannelOrder order={fullOrder} connected={connected} onChange={setOrder} />

          <fieldset className="settings-card">
            <legend>{s.quietHours}</legend>
            <label className="checkbox">
              <input type="checkbox" name="quietHours" checked={quiet !== null} onChange={(event) => setQuiet(event.target.checked ? { start: quietStart, end: quietEnd } : null)} />
              {s.quietHoursOn}
            </label>
            <div className="form-row">
              <label>
                {s.quietStart}
                <input type="time" name="quietStart" value={quietStart} disabled={quiet === null} required={quiet !== null} onChange={(event) => setQuietStart(event.target.value)} />
              </label>
              <label>
                {s.quietEnd}
                <input type="time" name="quietEnd" value={quietEnd} disabled={quiet === null} required={quiet !== null} onChange={(event) => setQuietEnd(event.target.value)} />
              </label>
            </div>
            <small className="muted">{s.quietHoursHint}</small>
          </fieldset>
        </fieldset>
        <FormSaveRow error={error} status={saved && s.saved} busy={busy} label={s.save} busyLabel={s.saving} canSave={admin} />
      </form>
    </section>
  );
}

/** The kinds in the order Auto tries them; each moves with its own up/down buttons, and focus stays on the moved one. */
function ChannelOrder({ order, connected, onChange }: { order: string[]; connected: ReadonlySet<string>; onChange: (order: string[]) => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const [moved, setMoved] = useState<{ kind: string; step: -1 | 1 } | null>(null);

  useEffect(() => {
    if (!moved) return;
    // The button pressed becomes disabled at the top or the bottom: then the other one keeps the focus.
    const same = buttons.current.get(`${moved.kind}:${moved.step}`);
    const other = buttons.current.get(`${moved.kind}:${-moved.step}`);
    (same && !same.disabled ? same : other)?.focus();
  }, [moved, order]);

  const move = (index: number, step: -1 | 1) => {
    const kind = order[index]!;
    onChange(moveItem(order, index, step));
    setMoved({ kind, step });
  };

  const announcement = moved ? fill(s.movedTo, { what: channelName(moved.kind, language), position: order.indexOf(moved.kind) + 1, total: order.length }) : '';

  return (
    <fieldset className="settings-card">
      <legend>{s.channelOrder}</legend>
      <p className="muted card-note">{s.channelOrderHint}</p>
      <ol className="channel-order" aria-label={s.channelOrder}>
        {order.map((kind, index) => {
          const label = channelName(kind, language);
          return (
            <li key={kind} data-kind={kind}>
              <span className="order-name">
                <span className="order-position">{index + 1}.</span> {label} {connected.has(kind) ? <span className="badge">{s.connected}</span> : <span className="muted">{s.notConnected}</span>}
              </span>
              <span className="order-buttons">
                <button
                  type="button"
                  ref={(el) => {
                    if (el) buttons.current.set(`${kind}:-1`, el);
                    else buttons.current.delete(`${kind}:-1`);
                  }}
                  disabled={index === 0}
                  aria-label={fill(s.moveUp, { what: label })}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  ref={(el) => {
                    if (el) buttons.current.set(`${kind}:1`, el);
                    else buttons.current.delete(`${kind}:1`);
                  }}
                  disabled={index === order.length - 1}
                  aria-label={fill(s.moveDown, { what: label })}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
    </fieldset>
  );
}

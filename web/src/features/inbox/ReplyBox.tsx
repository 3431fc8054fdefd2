// Answer the customer: on Auto (the best channel now, failing over by itself) or on one chosen channel, with the
// reasons the other channels cannot reach this customer right now; or write an internal note.
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useId, useState } from 'react';
import { get, post } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLiveEvents } from '../../live';
import type { Reachability } from '../../types';
import { reachCaveat, reachReason } from './reach-reasons';
import { strings } from './strings';

type Mode = 'reply' | 'note';

export interface KindReach {
  kind: string;
  reachable: boolean;
  needsTemplate: boolean;
  why: string | null;
  reason: string | null;
  caveat: string | null;
}

/** One entry per channel kind: reachable when any channel of that kind is; else the first reason given. */
export function reachByKind(reach: Reachability): KindReach[] {
  const byKind = new Map<string, KindReach>();
  for (const channel of reach.channels) {
    const current = byKind.get(channel.kind);
    const entry: KindReach = {
      kind: channel.kind,
      reachable: channel.reachable,
      needsTemplate: channel.needsTemplate,
      why: channel.explanation,
      reason: channel.reason,
      caveat: channel.caveat ?? null,
    };
    if (!current || (!current.reachable && entry.reachable)) byKind.set(channel.kind, entry);
  }
  return [...byKind.values()];
}

export function ReplyBox({ contactId, conversationId, onSent }: { contactId: string; conversationId: string | null; onSent: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels } = useChannels();
  const [mode, setMode] = useState<Mode>('reply');
  const [via, setVia] = useState('auto');
  const [text, setText] = useState('');
  const [template, setTemplate] = useState({ name: '', language: 'en' });
  const [reach, setReach] = useState<Reachability | null>(null);
  // On a phone the per-channel lines fold behind a toggle (CSS shows them always on wider screens).
  const [reachOpen, setReachOpen] = useState(false);
  const reachListId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per draft: a double click or a retry after a network error never sends twice.
  const [draftKey, setDraftKey] = useState(() => crypto.randomUUID());

  const loadReach = useCallback(async () => {
    try {
      setReach(await get<Reachability>(`/contacts/${contactId}/reachability`));
    } catch {
      setReach(null);
    }
  }, [contactId]);
  // Channel health changes what can reach the customer.
  const healthKey = channels.map((c) => `${c.id}:${c.health}:${c.state}`).join();
  useEffect(() => void loadReach(), [loadReach, healthKey]);
  useLiveEvents((event) => {
    if (event.type === 'resync' || ('contactId' in event && event.contactId === contactId)) void loadReach();
  });

  const kinds = reach ? reachByKind(reach) : [];
  const chosen = kinds.find((k) => k.kind === via);
  const showTemplate = mode === 'reply' && via === 'whatsapp' && chosen?.needsTemplate === true;
  const autoKind = reach?.auto?.kind ?? null;
  // The keyboard shortcut means nothing on a touch screen without a keyboard.
  const keyboard = typeof matchMedia !== 'function' || !matchMedia('(pointer: coarse)').matches;
  const placeholder = mode === 'note' ? `${s.notePlaceholder}${keyboard ? ` ${s.saveKey}` : ''}` : `${s.replyPlaceholder}${keyboard ? ` ${s.sendKey}` : ''}`;
  // The channel this reply would go by first, when it is only being tested: said before sending.
  const first = reach?.channels.find((c) => (via === 'auto' ? c.channelId === reach.auto?.channelId : c.kind === via && c.reachable));
  const caveat = first ? reachCaveat(first.caveat, first.kind, language, first.explanation) : null;

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      if (mode === 'note') {
        await post(`/contacts/${contactId}/notes`, { text, ...(conversationId ? { conversationId } : {}) });
      } else {
        await post('/messages', {
          contactId,
          text,
          route: via === 'auto' ? 'auto' : { channels: [via] },
          idempotencyKey: draftKey,
          // A reply typed in a conversation is an answer the customer is waiting for: quiet hours hold
          // notifications and broadcasts, not this.
          urgent: true,
          ...(showTemplate && template.name ? { template } : {}),
        });
      }
      setText('');
      setDraftKey(crypto.randomUUID());
      onSent();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  };

  return (
    <form className={`reply-box mode-${mode}`} onSubmit={submit} aria-label={s.reply}>
      <div className="reply-tabs" role="radiogroup" aria-label={s.reply}>
        <label className="tab">
          <input type="radio" name="mode" checked={mode === 'reply'} onChange={() => setMode('reply')} /> {s.reply}
        </label>
        <label className="tab">
          <input type="radio" name="mode" checked={mode === 'note'} onChange={() => setMode('note')} /> {s.writeNote}
        </label>
        {mode === 'reply' && (
          <label className="via">
            {s.sendVia}
            <select value={via} onChange={(event) => setVia(event.target.value)}>
              <option value="auto">{s.auto}</option>
              {kinds.map((k) => (
                <option key={k.kind} value={k.kind} disabled={!k.reachable && !k.needsTemplate}>
                  {channelName(k.kind, language)}
                  {!k.reachable && !k.needsTemplate ? ' ✕' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {mode === 'reply' && reach && (
        <div className={reachOpen ? 'reach open' : 'reach'} data-testid="reachability">
          <p className="muted">
            {autoKind ? fill(s.autoNow, { channel: channelName(autoKind, language) }) : s.autoNone}{' '}
            <button type="button" className="link reach-toggle" aria-expanded={reachOpen} aria-controls={reachListId} onClick={() => setReachOpen((open) => !open)}>
              {reachOpen ? s.hideReach : s.showReach}
            </button>
          </p>
          {caveat && <p className="muted reach-caveat">{caveat}</p>}
          <ul id={reachListId}>
            {kinds.map((k) => (
              <li key={k.kind} className={k.reachable ? 'ok' : 'no'}>
                <strong>{channelName(k.kind, language)}</strong>
                {k.reachable ? (k.caveat ? ` ✓ (${s.beingTested})` : ' ✓') : `: ${k.needsTemplate ? s.needsTemplate : (reachReason(k.reason, k.kind, language, k.why) ?? '')}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      {showTemplate && (
        <fieldset className="template">
          <legend>{s.template}</legend>
          <label>
            {s.templateName}
            <input value={template.name} onChange={(event) => setTemplate({ ...template, name: event.target.value })} required />
          </label>
          <label>
            {s.templateLanguage}
            <input value={template.language} onChange={(event) => setTemplate({ ...template, language: event.target.value })} required />
          </label>
        </fieldset>
      )}
      <label>
        <span className="visually-hidden">{mode === 'note' ? s.writeNote : s.reply}</span>
        <textarea
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          rows={3}
          maxLength={20_000}
        />
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {busy ? s.sending2 : mode === 'note' ? s.saveNote : s.send}
        </button>
      </div>
    </form>
  );
}

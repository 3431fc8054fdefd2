// The order in which Auto tries this customer's channels: channel kinds the workspace has, moved with buttons (so the
// keyboard can do it), each change saved at once. Focus follows the moved channel so it can be moved again.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { patch } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import type { Contact } from '../../types';
import { addKind, kindsToAdd, moveKind, removeKind } from './channel-order';
import type { SectionProps } from './CustomerPanel';
import { strings } from './strings';

type Action = 'up' | 'down' | 'remove';
const FALLBACK: Record<Action, Action[]> = { up: ['up', 'down', 'remove'], down: ['down', 'up', 'remove'], remove: ['remove'] };

export function PreferredChannels({ contact, onSaved }: SectionProps) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels, loaded } = useChannels();
  const titleId = useId();
  const helpId = useId();
  const list = useRef<HTMLOListElement>(null);
  const addSelect = useRef<HTMLSelectElement>(null);
  // Shown at once while the server saves; dropped (back to the contact as saved) when it answers or refuses.
  const [pending, setPending] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Where focus goes once the changed list is on screen (the moved channel's button, or the add field).
  const focusTarget = useRef<{ kind: string; action: Action } | 'add' | null>(null);
  const saving = useRef(false);
  const [toAdd, setToAdd] = useState('');

  const order = pending ?? contact.preferredChannels;
  const workspaceKinds = channels.map((c) => c.kind);
  const addable = kindsToAdd(workspaceKinds, order);
  const selected = addable.includes(toAdd) ? toAdd : (addable[0] ?? '');

  useEffect(() => {
    const target = focusTarget.current;
    focusTarget.current = null;
    if (!target) return;
    if (target === 'add') {
      addSelect.current?.focus();
      return;
    }
    for (const action of FALLBACK[target.action]) {
      const button = list.current?.querySelector<HTMLButtonElement>(`button[data-kind="${CSS.escape(target.kind)}"][data-action="${action}"]`);
      if (button && !button.disabled) {
        button.focus();
        return;
      }
    }
  }, [order]);

  const save = async (next: string[], focusAfter: typeof focusTarget.current) => {
    if (saving.current) return; // One change at a time, so the saves cannot arrive out of order.
    saving.current = true;
    focusTarget.current = focusAfter;
    setPending(next);
    setError(null);
    try {
      onSaved(await patch<Contact>(`/contacts/${encodeURIComponent(contact.id)}`, { preferredChannels: next }));
    } catch (caught) {
      setError(caught);
    } finally {
      saving.current = false;
      setPending(null);
    }
  };

  const move = (kind: string, action: 'up' | 'down') => {
    void save(moveKind(order, kind, action === 'up' ? -1 : 1), { kind, action });
  };
  const remove = (kind: string) => {
    const index = order.indexOf(kind);
    const next = order[index + 1] ?? order[index - 1];
    void save(removeKind(order, kind), next ? { kind: next, action: 'remove' } : 'add');
  };
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!selected) return;
    void save(addKind(order, selected), { kind: selected, action: 'up' });
  };

  return (
    <section className="customer-section" aria-labelledby={titleId}>
      <h3 id={titleId}>{s.preferredTitle}</h3>
      <p id={helpId} className="muted">
        {order.length === 0 ? s.preferredEmpty : s.preferredHelp}
      </p>
      {order.length > 0 && (
        <ol className="channel-order" ref={list} aria-describedby={helpId} aria-busy={pending !== null}>
          {order.map((kind, index) => {
            const name = channelName(kind, language);
            return (
              <li key={kind} data-kind={kind}>
                <span className="channel-order-name">
                  {name}
                  {loaded && !workspaceKinds.includes(kind) && <small className="muted"> ({s.notConnected})</small>}
                </span>
                <span className="button-row">
                  <button type="button" data-kind={kind} data-action="up" aria-label={fill(s.moveUp, { channel: name })} disabled={index === 0} onClick={() => move(kind, 'up')}>
                    {s.up}
                  </button>
                  <button
                    type="button"
                    data-kind={kind}
                    data-action="down"
                    aria-label={fill(s.moveDown, { channel: name })}
                    disabled={index === order.length - 1}
                    onClick={() => move(kind, 'down')}
                  >
                    {s.down}
                  </button>
                  <button type="button" data-kind={kind} data-action="remove" aria-label={fill(s.removeChannel, { channel: name })} onClick={() => remove(kind)}>
                    {s.remove}
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {addable.length > 0 && (
        <form className="inline-form" onSubmit={add}>
          <label>
            {s.addChannel}
            <select ref={addSelect} value={selected} onChange={(event) => setToAdd(event.target.value)}>
              {addable.map((kind) => (
                <option key={kind} value={kind}>
                  {channelName(kind, language)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{s.addToOrder}</button>
        </form>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

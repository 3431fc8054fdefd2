// Settings › Channels: every connected account with its health, state and the webhook URL to paste at the provider.
// Owners and admins also edit its settings, test the connection, pause or resume, delete, and add channels; agents
// only look.
import { useEffect, useRef, useState } from 'react';
import { del, patch, post } from '../../api';
import { useChannels } from '../../channels';
import { ErrorNote } from '../../components/ErrorNote';
import { useReturnFocus } from '../../components/return-focus';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Channel } from '../../types';
import { AddChannel, ChannelCreated, EditChannel } from './ChannelForms';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyableValue } from './CopyableValue';
import { healthExplanation, isCredentialsRefusal } from '../health/explanation';
import { NO_WEBHOOK, WEBHOOK_SET_ITSELF } from './channel-config';
import { strings } from './strings';

interface TestResult {
  ok: boolean;
  detail?: string;
  explanation?: string;
}

export function ChannelsTab() {
  const s = useStrings(strings);
  const { user } = useSession();
  const admin = canAdmin(user);
  const { channels, loaded, reload } = useChannels();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<Channel | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void reload();
  }, [reload]);

  const stopAdding = () => {
    setAdding(false);
    requestAnimationFrame(() => addButton.current?.focus());
  };

  return (
    <section aria-labelledby="settings-channels">
      <div className="settings-heading">
        <h2 id="settings-channels" ref={heading} tabIndex={-1}>{s.channelsTitle}</h2>
        {admin && !adding && (
          <button
            ref={addButton}
            type="button"
            className="primary"
            onClick={() => {
              setCreated(null);
              setAdding(true);
            }}
          >
            {s.addChannel}
          </button>
        )}
      </div>
      {!admin && <p className="muted">{s.channelsReadOnly}</p>}
      {created && (
        <ChannelCreated
          channel={created}
          onDone={() => {
            setCreated(null);
            requestAnimationFrame(() => addButton.current?.focus());
          }}
        />
      )}
      {adding && (
        <AddChannel
          onCancel={stopAdding}
          onCreated={(channel) => {
            setAdding(false);
            setCreated(channel);
            void reload();
          }}
        />
      )}
      {!loaded && <p className="muted">{s.loading}</p>}
      {loaded && channels.length === 0 && !adding && <p className="muted">{s.noChannels}</p>}
      <ul className="settings-list">
        {channels.map((channel) => (
          <ChannelItem
            key={channel.id}
            channel={channel}
            admin={admin}
            onChanged={reload}
            // The deleted card took the focus with it: give it to the heading, not to the top of the page.
            onRemoved={() => requestAnimationFrame(() => heading.current?.focus())}
          />
        ))}
      </ul>
    </section>
  );
}

function ChannelItem({ channel, admin, onChanged, onRemoved }: { channel: Channel; admin: boolean; onChanged: () => Promise<void>; onRemoved: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const [test, setTest] = useState<TestResult | null>(null);
  const [testing, setTesting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);

  const kind = channelName(channel.kind, language);
  const title = `${kind} · ${channel.name}`;
  const health = channel.health ?? 'up';
  const paused = channel.state === 'paused';
  const detail = channel.healthDetail;
  const rate = detail && detail.attempts > 0 ? Math.round(detail.errorRate * 100) : null;

  const { buttonRef: editButton, returnFocus } = useReturnFocus(editing);
  const stopEditing = () => {
    returnFocus();
    setEditing(false);
  };

  const runTest = async () => {
    setTesting(true);
    setTest(null);
    setError(null);
    try {
      setTest(await post<TestResult>(`/channels/${channel.id}/test`));
    } catch (caught) {
      setError(caught);
    } finally {
      setTesting(false);
    }
  };

  const togglePause = async () => {
    setBusy(true);
    setError(null);
    try {
      await patch(`/channels/${channel.id}`, { state: paused ? 'active' : 'paused' });
      await onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setError(null);
    try {
      await del(`/channels/${channel.id}`);
      await onChanged();
      onRemoved();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <li className="settings-card" aria-label={title} data-channel-id={channel.id}>
      <div className="card-title">
        <h3>
          {kind} <span className="muted">· {channel.name}</span>
        </h3>
        <span className={`health-chip health-${health}`} data-health={health}>
          <span className="dot" aria-hidden="true" />
          <span className="visually-hidden">{s.healthLabel}: </span>
          {health === 'banned' && isCredentialsRefusal(channel) ? s.healthCredentials : s.health[health]}
        </span>
        <span className={`badge state-${channel.state}`}>{paused ? s.statePaused : channel.state === 'active' ? s.stateActive : channel.state}</span>
      </div>
      {(health !== 'up' || (rate !== null && rate > 0)) && (
        <p className="muted card-note">
          {[healthExplanation(channel, language), rate !== null ? fill(s.errorRate, { rate, attempts: detail?.attempts ?? 0 }) : null].filter(Boolean).join(' · ')}
        </p>
      )}
      {paused && <p className="muted card-note">{s.pausedNote}</p>}
      {channel.embedCode && <CopyableValue label={s.embedCode} value={channel.embedCode} />}
      {!NO_WEBHOOK.has(channel.kind) && <CopyableValue label={WEBHOOK_SET_ITSELF.has(channel.kind) ? s.webhookUrlRegistered : s.webhookUrl} value={channel.webhookUrl} />}
      {editing && (
        <EditChannel
          channel={channel}
          onCancel={stopEditing}
          onSaved={() => {
            setSaved(true);
            setTest(null);
            stopEditing();
            void onChanged();
          }}
        />
      )}
      {admin && !editing && (
        <div className="card-actions">
          <button
            ref={editButton}
            type="button"
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
            aria-label={fill(s.editWhat, { what: title })}
          >
            {s.editSettings}
          </button>
          <button type="button" onClick={() => void runTest()} disabled={testing} aria-label={fill(s.testWhat, { what: title })}>
            {testing ? s.testing : s.test}
          </button>
          <button type="button" onClick={() => void togglePause()} disabled={busy} aria-label={fill(paused ? s.resumeWhat : s.pauseWhat, { what: title })}>
            {paused ? s.resume : s.pause}
          </button>
          <ConfirmButton
            layout="inline"
            danger
            label={s.delete}
            accessibleName={fill(s.deleteWhat, { what: title })}
            question={fill(s.deleteChannelQuestion, { what: title })}
            confirmLabel={s.deleteConfirm}
            onConfirm={remove}
          />
        </div>
      )}
      <p role="status" className={test ? (test.ok ? 'test-result test-ok' : 'test-result test-failed') : 'test-result'}>
        {test
          ? test.ok
            ? fill(s.testOk, { detail: test.detail ?? '' })
            : fill(s.testFailed, { explanation: test.explanation ?? '' })
          : saved && fill(s.settingsSaved, { what: title })}
      </p>
      <ErrorNote error={error} />
    </li>
  );
}

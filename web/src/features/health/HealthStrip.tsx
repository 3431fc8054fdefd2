// On every page: each channel's state at a glance, and a banner nobody can miss when one is down or banned.
import { useChannels } from '../../channels';
import { fill, useLanguage, useStrings } from '../../i18n';
import { useLive } from '../../live';
import { Link } from '../../router';
import type { Channel } from '../../types';
import { healthExplanation, isCredentialsRefusal } from './explanation';
import { chipNames, fullName } from './names';
import { strings } from './strings';

export function HealthStrip({ canConfigure }: { canConfigure: boolean }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const { channels, loaded } = useChannels();
  const named = (list: Channel[]) => list.map((c) => fullName(c, language)).join(', ');
  const down = channels.filter((c) => c.health === 'down');
  const refusesCredentials = (c: Channel) => c.health === 'banned' && isCredentialsRefusal(c);
  const banned = channels.filter((c) => c.health === 'banned' && !refusesCredentials(c));
  const credentials = channels.filter(refusesCredentials);
  const up = channels.filter((c) => (c.health ?? 'up') === 'up');
  const chipName = chipNames(channels, language);

  return (
    <>
      <nav className="health-strip" aria-label={s.label}>
        {loaded && channels.length === 0 && (
          <span className="muted">
            {s.noChannels} {canConfigure && <Link to="/settings/channels">{s.connectOne}</Link>}
          </span>
        )}
        {channels.map((channel) => {
          const health = channel.health ?? 'up';
          const rate = channel.healthDetail && channel.healthDetail.attempts > 0 ? Math.round(channel.healthDetail.errorRate * 100) : null;
          const title = [healthExplanation(channel, language), rate !== null ? fill(s.errorRate, { rate }) : null].filter(Boolean).join(' · ');
          return (
            <span key={channel.id} className={`health-chip health-${health}`} title={title} data-channel={channel.kind} data-health={health}>
              <span className="dot" aria-hidden="true" />
              {chipName.get(channel)} <span className="health-word">{refusesCredentials(channel) ? s.credentials : s[health]}</span>
              {rate !== null && rate > 0 && <span className="rate">{fill(s.errorShort, { rate })}</span>}
            </span>
          );
        })}
        {/* Phones show only the channels with a problem (CSS hides the rest) and this chip for all the others. */}
        {up.length > 0 && (
          <span className="health-chip health-summary" title={up.map((c) => chipName.get(c)).join(', ')} data-testid="health-summary">
            <span className="dot" aria-hidden="true" />
            {up.length === channels.length ? s.allUp : s.othersUp}
          </span>
        )}
      </nav>
      {down.length > 0 && (
        <div className="banner banner-down" role="alert" data-testid="channel-down-banner">
          {fill(s.downBanner, { channels: named(down) })}
        </div>
      )}
      {banned.length > 0 && (
        <div className="banner banner-down" role="alert">
          {fill(s.bannedBanner, { channels: named(banned) })}
        </div>
      )}
      {credentials.length > 0 && (
        <div className="banner banner-down" role="alert">
          {fill(s.credentialsBanner, { channels: named(credentials) })}
        </div>
      )}
    </>
  );
}

export function LiveBanner() {
  const s = useStrings(strings);
  const live = useLive();
  if (live.status === 'open') return null;
  return (
    <div className="banner banner-offline" role="status" data-testid="live-banner">
      {live.status === 'connecting' ? s.connecting : fill(s.offline, { seconds: Math.round(live.retryInMs / 1000) })}{' '}
      {live.status === 'retrying' && (
        <button type="button" className="link" onClick={live.retryNow}>
          {s.retryNow}
        </button>
      )}
    </div>
  );
}

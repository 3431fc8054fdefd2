// A broadcast's progress as one bar split by outcome (delivered, sent, failed, pending) with the numbers beside it,
// so the colours are never the only way to read it; screen readers get the same as the bar's value text.
import { fill, useStrings } from '../../i18n';
import { type Counts, outcomeShares, settled } from './progress';
import { strings } from './strings';

export function ProgressBar({ counts, label }: { counts: Counts; label: string }) {
  const s = useStrings(strings);
  const words = { delivered: s.outcomeDelivered, sent: s.outcomeSent, failed: s.outcomeFailed, pending: s.outcomePending };
  const summary = fill(s.progressText, { done: settled(counts), total: counts.total, delivered: counts.delivered, sent: counts.sent, failed: counts.failed, pending: counts.pending });
  return (
    <div className="progress">
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={Math.max(counts.total, 1)}
        aria-valuenow={settled(counts)}
        aria-valuetext={summary}
      >
        {outcomeShares(counts).map(({ outcome, percent }) => (percent > 0 ? <span key={outcome} className={`progress-${outcome}`} style={{ width: `${percent}%` }} /> : null))}
      </div>
      <ul className="progress-legend">
        {(['delivered', 'sent', 'failed', 'pending'] as const).map((outcome) => (
          <li key={outcome} data-outcome={outcome}>
            <span className={`swatch progress-${outcome}`} /> {words[outcome]}: <strong>{counts[outcome]}</strong>
          </li>
        ))}
        <li>
          {s.outcomeTotal}: <strong>{counts.total}</strong>
        </li>
      </ul>
    </div>
  );
}

// What the playbook did for an incident, action by action: its state, its counts in words, and for the actions
// carried by a broadcast (telling customers, "we're back") the broadcast's progress with a link to it.
import { Link } from '../../router';
import { fill, useLanguage, useStrings } from '../../i18n';
import { incidentEntryText } from './entries';
import { ProgressBar } from './ProgressBar';
import { strings } from './strings';
import type { IncidentAction } from './types';

export function ActionList({ actions }: { actions: IncidentAction[] }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  if (actions.length === 0) return <p className="muted">{s.noActions}</p>;
  const names: Record<IncidentAction['type'], string> = {
    alert: s.actionAlert,
    notify: s.actionNotify,
    notice: s.actionNotice,
    auto_reply: s.actionAutoReply,
    call_list: s.actionCallList,
    recovery: s.actionRecovery,
  };
  const states: Record<IncidentAction['state'], string> = { running: s.stateRunning, done: s.stateDone, skipped: s.stateSkipped, failed: s.stateFailed };
  const countWords: Record<string, string> = {
    affected: s.countAffected,
    toTell: s.countToTell,
    callList: s.countCallList,
    unreachable: s.countUnreachable,
    customers: s.countCustomers,
    sent: s.countSent,
    targets: s.countTargets,
  };
  return (
    <ul className="action-list">
      {actions.map((action) => {
        const name = names[action.type] ?? action.type;
        const { total, sent, delivered, failed, pending } = action.counts;
        const broadcast = action.broadcastId && total !== undefined ? { total, sent: sent ?? 0, delivered: delivered ?? 0, failed: failed ?? 0, pending: pending ?? 0 } : null;
        const words = Object.entries(action.counts)
          .filter(([key]) => key in countWords && !(broadcast && key === 'sent'))
          .map(([key, value]) => fill(countWords[key]!, { n: value }));
        return (
          <li key={action.type} className="action" data-action={action.type}>
            <div className="action-head">
              <strong>{name}</strong> <span className={`badge state-${action.state}`}>{states[action.state] ?? action.state}</span>
            </div>
            {words.length > 0 && <p className="muted">{words.join(' · ')}</p>}
            {broadcast && <ProgressBar counts={broadcast} label={fill(s.progressOf, { what: name })} />}
            {action.detail && <p className="action-detail">{incidentEntryText({ text: action.detail, reason: action.detailReason, facts: action.detailFacts }, language)}</p>}
            {action.broadcastId && <Link to={`/broadcasts/${action.broadcastId}`}>{s.openBroadcast}</Link>}
          </li>
        );
      })}
    </ul>
  );
}

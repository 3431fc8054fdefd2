// A broadcast's status as a coloured, worded badge.
import { useStrings } from '../../i18n';
import { strings } from './strings';
import type { BroadcastStatus } from './types';

export function StatusBadge({ status }: { status: BroadcastStatus }) {
  const s = useStrings(strings);
  const words: Record<BroadcastStatus, string> = { scheduled: s.statusScheduled, running: s.statusRunning, paused: s.statusPaused, cancelled: s.statusCancelled, completed: s.statusCompleted };
  return <span className={`badge broadcast-${status}`}>{words[status] ?? status}</span>;
}

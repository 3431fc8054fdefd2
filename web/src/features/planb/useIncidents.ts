// The workspace's incidents, kept fresh: refetched on incident.* events and after a reconnect, and every few
// seconds while one is open (an action's counts move without an event of their own).
import { useCallback, useEffect, useState } from 'react';
import { get } from '../../api';
import { useLiveEvents } from '../../live';
import { planBEvent, type Incident } from './types';

const OPEN_REFRESH_MS = 3_000;

export function useIncidents() {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      setIncidents((await get<{ items: Incident[] }>('/incidents')).items);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const anyOpen = incidents?.some((i) => i.state === 'open') ?? false;
  useEffect(() => {
    if (!anyOpen) return;
    const timer = setInterval(() => void reload(), OPEN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyOpen, reload]);

  useLiveEvents((event) => {
    const own = planBEvent(event);
    if (event.type === 'resync' || own?.type === 'incident.opened' || own?.type === 'incident.closed') void reload();
  });

  return { incidents, error, reload };
}

// One WebSocket to /api/v1/live per tab. When it drops, a banner says so and it retries with growing pauses; once
// back, every screen is told to catch up (refetch), because events sent while it was away are not replayed.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { LiveEvent } from './types';

export type LiveStatus = 'connecting' | 'open' | 'retrying';
type Listener = (event: LiveEvent | { type: 'resync' }) => void;

interface LiveApi {
  status: LiveStatus;
  retryInMs: number;
  subscribe: (listener: Listener) => () => void;
  retryNow: () => void;
}

const LiveContext = createContext<LiveApi | null>(null);
const MAX_PAUSE_MS = 30_000;

export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [retryInMs, setRetryInMs] = useState(0);
  const retryNowRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let everOpened = false;
    let stopped = false;
    const emit = (event: LiveEvent | { type: 'resync' }) => {
      for (const listener of listeners.current) listener(event);
    };
    const connect = () => {
      clearTimeout(timer);
      setStatus(everOpened ? 'retrying' : 'connecting');
      socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`);
      socket.onmessage = (message) => {
        const event = JSON.parse(String(message.data)) as LiveEvent;
        if (event.type === 'ready') {
          // Every open, the first too: what the page loaded before the socket was ready may already be stale, and
          // the events of that gap reached no one.
          emit({ type: 'resync' });
          everOpened = true;
          failures = 0;
          setStatus('open');
          return;
        }
        emit(event);
      };
      socket.onclose = () => {
        if (stopped) return;
        failures += 1;
        const pause = Math.min(MAX_PAUSE_MS, 1000 * 2 ** Math.min(failures - 1, 5));
        setStatus('retrying');
        setRetryInMs(pause);
        timer = setTimeout(connect, pause);
      };
    };
    retryNowRef.current = () => {
      socket?.close();
      connect();
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, []);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const retryNow = useCallback(() => retryNowRef.current(), []);
  const value = useMemo<LiveApi>(() => ({ status, retryInMs, subscribe, retryNow }), [status, retryInMs, subscribe, retryNow]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveApi {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveProvider');
  return live;
}

/** Calls `handler` for each live event, and with {type: 'resync'} each time the socket is (re)connected. */
export function useLiveEvents(handler: Listener): void {
  const live = useLive();
  const latest = useRef(handler);
  latest.current = handler;
  const { subscribe } = live;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}

// The workspace's channels with their health, shared by the health strip, the reply box and settings. Refreshed when
// a channel's health changes, after a reconnect, and every half minute in case an event was missed.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { get } from './api';
import { useLiveEvents } from './live';
import type { Channel } from './types';

interface ChannelsApi {
  channels: Channel[];
  loaded: boolean;
  reload: () => Promise<void>;
}

const ChannelsContext = createContext<ChannelsApi>({ channels: [], loaded: false, reload: async () => undefined });
const REFRESH_MS = 30_000;

export function ChannelsProvider({ children }: { children: ReactNode }) {
  const [channels, setChannels] = useState<Channel[]>([]);
  const [loaded, setLoaded] = useState(false);
  const reload = useCallback(async () => {
    try {
      setChannels((await get<{ items: Channel[] }>('/channels')).items);
      setLoaded(true);
    } catch {
      // The strip keeps the last known state; the live banner already says when Lifeline is unreachable.
    }
  }, []);

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  useLiveEvents((event) => {
    if (event.type === 'channel.health') {
      setChannels((current) => current.map((c) => (c.id === event.channelId ? { ...c, health: event.health } : c)));
      void reload();
    } else if (event.type === 'resync') void reload();
  });

  const value = useMemo(() => ({ channels, loaded, reload }), [channels, loaded, reload]);
  return <ChannelsContext.Provider value={value}>{children}</ChannelsContext.Provider>;
}

export function useChannels(): ChannelsApi {
  return useContext(ChannelsContext);
}

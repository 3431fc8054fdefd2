// The workspace settings delivery reads: the default channel order, quiet hours and per-channel rate limits.
// Stored in the workspace's settings JSON next to `channelOrder`; read leniently, so a malformed entry falls back to
// the default instead of stopping every send.
import { isTimeZone } from '../core/time-zone.js';
import { z } from 'zod';
import type { QuietHours, RateLimit } from '../core/delivery/index.js';
import { DEFAULT_CHANNEL_ORDER, type Workspace } from '../store/workspaces.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const rateLimit = z.object({ ratePerSec: z.number().positive(), burst: z.number().min(1) });

const DeliverySettingsSchema = z.object({
  channelOrder: z.array(z.string()).catch(DEFAULT_CHANNEL_ORDER),
  /** Local wall times in the contact's time zone (else the workspace's) when non-urgent messages wait. */
  quietHours: z.object({ start: clock, end: clock }).nullable().catch(null),
  /** Overrides of PROVIDER_RATE_LIMITS by channel id or channel kind; null turns pacing off. */
  rateLimits: z.record(z.string(), rateLimit.nullable()).catch({}),
});

export interface DeliverySettings {
  channelOrder: string[];
  quietHours: { start: string; end: string } | null;
  rateLimits: Record<string, RateLimit | null>;
}

export function deliverySettings(workspace: Workspace): DeliverySettings {
  const raw = workspace.settings as unknown as Record<string, unknown>;
  const parsed = DeliverySettingsSchema.safeParse({
    channelOrder: raw.channelOrder ?? DEFAULT_CHANNEL_ORDER,
    quietHours: raw.quietHours ?? null,
    rateLimits: raw.rateLimits ?? {},
  });
  return parsed.success ? parsed.data : { channelOrder: DEFAULT_CHANNEL_ORDER, quietHours: null, rateLimits: {} };
}

/** The quiet period for one contact, or null when the workspace has none. */
export function quietHoursFor(settings: DeliverySettings, contactTimezone: string | null, workspaceTimezone: string): QuietHours | null {
  if (!settings.quietHours) return null;
  // A zone that is not one (stored before zones were checked) must not stop the message: the workspace's stands in.
  const zone = contactTimezone !== null && isTimeZone(contactTimezone) ? contactTimezone : workspaceTimezone;
  return { ...settings.quietHours, timezone: zone };
}

/** An override for the channel (by id, then by kind), or undefined to use the provider default. */
export function rateLimitOverride(settings: DeliverySettings, channel: { id: string; kind: string }): RateLimit | null | undefined {
  if (Object.hasOwn(settings.rateLimits, channel.id)) return settings.rateLimits[channel.id];
  if (Object.hasOwn(settings.rateLimits, channel.kind)) return settings.rateLimits[channel.kind];
  return undefined;
}

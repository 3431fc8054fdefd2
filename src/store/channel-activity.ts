// What recent sending showed about each channel, for channel health (src/health/): counts and times of the
// attempts of the last minutes, read through the delivery_attempts_channel_time index (migration 0007). Reads only;
// the attempts are written by the dispatcher (src/store/deliveries.ts).
import { type Kysely, sql } from 'kysely';
import { type AttemptWindow, HEALTH_FAILURE_CATEGORIES } from '../core/health.js';
import type { Database } from './schema.js';

/** Channel ids per statement: far below either database's limit on bound parameters. */
const CHUNK = 500;

/** Every channel of every workspace (id, workspace and kind only: no credentials are opened). */
export async function allChannels(db: Kysely<Database>): Promise<{ id: string; workspaceId: string; kind: string }[]> {
  const rows = await db.selectFrom('channels').select(['id', 'workspace_id', 'kind']).orderBy('created_at').execute();
  return rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id, kind: row.kind }));
}

/** The attempts made on each channel since `since`, summed up; channels without any are absent. */
export async function attemptWindows(db: Kysely<Database>, channelIds: readonly string[], since: number): Promise<Map<string, AttemptWindow>> {
  const windows = new Map<string, AttemptWindow>();
  const counted = sql.join([...HEALTH_FAILURE_CATEGORIES]);
  const failure = sql`status = 'failed' and error_category in (${counted})`;
  for (let start = 0; start < channelIds.length; start += CHUNK) {
    const chunk = channelIds.slice(start, start + CHUNK);
    const { rows } = await sql<{
      channel_id: string;
      attempts: number | string;
      failures: number | string | null;
      first_failure_at: number | string | null;
      last_failure_at: number | string | null;
      last_success_at: number | string | null;
      last_restricted_at: number | string | null;
    }>`
      select channel_id,
        sum(case when status in ('sent', 'delivered', 'read', 'failed') then 1 else 0 end) as attempts,
        sum(case when ${failure} then 1 else 0 end) as failures,
        min(case when ${failure} then created_at end) as first_failure_at,
        max(case when ${failure} and error_category <> 'account_restricted' then created_at end) as last_failure_at,
        max(case when status in ('sent', 'delivered', 'read') then created_at end) as last_success_at,
        max(case when status = 'failed' and error_category = 'account_restricted' then created_at end) as last_restricted_at
      from delivery_attempts
      where channel_id in (${sql.join(chunk)}) and created_at >= ${since}
      group by channel_id`.execute(db);
    for (const row of rows) {
      windows.set(row.channel_id, {
        attempts: Number(row.attempts),
        failures: Number(row.failures ?? 0),
        firstFailureAt: numberOrNull(row.first_failure_at),
        lastFailureAt: numberOrNull(row.last_failure_at),
        lastSuccessAt: numberOrNull(row.last_success_at),
        lastRestrictedAt: numberOrNull(row.last_restricted_at),
        restrictedSince: null,
      });
    }
  }
  // Since when a refused account has been refused: only asked for the few channels whose latest answer was a refusal.
  for (const [channelId, window] of windows) {
    if (window.lastRestrictedAt === null || window.lastRestrictedAt <= (window.lastSuccessAt ?? -1)) continue;
    const row = await db
      .selectFrom('delivery_attempts')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where('channel_id', '=', channelId)
      .where('created_at', '>', Math.max(window.lastSuccessAt ?? since - 1, since - 1))
      .where('status', '=', 'failed')
      .where('error_category', '=', 'account_restricted')
      .executeTakeFirst();
    window.restrictedSince = numberOrNull(row?.at ?? null);
  }
  return windows;
}

function numberOrNull(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

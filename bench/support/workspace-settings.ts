// Delivery settings of the workspace that the public API does not take yet (PATCH /api/v1/workspace accepts only
// `channelOrder`): per-channel rate-limit overrides, read by src/dispatch/settings.ts from the workspace's settings
// JSON. Written through the store, like `lifeline admin create` does, before `lifeline start` opens the database.
// Once the API accepts `settings.rateLimits`, callers should PATCH it instead.
import { type ConfigFlags, loadConfig } from '../../src/config.js';
import { openStore } from '../../src/cli/open-store.js';
import type { WorkspaceSettings } from '../../src/store/workspaces.js';

export interface RateLimitOverride {
  ratePerSec: number;
  burst: number;
}

/** Sets `settings.rateLimits` (by channel kind or id; null turns pacing off) on the data directory's workspace. */
export async function setRateLimits(dataDir: string, env: NodeJS.ProcessEnv, rateLimits: Record<string, RateLimitOverride | null>): Promise<void> {
  const merged = { ...process.env, ...env };
  const flags: ConfigFlags = { data: dataDir, databaseUrl: merged.LIFELINE_DATABASE_URL };
  const store = await openStore(loadConfig(flags, merged));
  try {
    const workspace = await store.workspaces.first();
    if (!workspace) throw new Error('no workspace: run prepareWorkspace first');
    const settings = { rateLimits } as unknown as Partial<WorkspaceSettings>;
    await store.workspaces.update(workspace.id, { settings }, 'bench');
  } finally {
    await store.close();
  }
}

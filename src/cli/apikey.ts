// `lifeline apikey create`: a key for the business's own systems; printed once, alone on the last line.
import type { Config } from '../config.js';
import { badRequest, LifelineError } from '../errors.js';
import { openStore } from './open-store.js';

export async function apiKeyCreate(config: Config, options: { name: string; role: string }): Promise<void> {
  if (options.role !== 'admin' && options.role !== 'agent') throw badRequest('invalid_role', '--role must be admin or agent.');
  const store = await openStore(config);
  try {
    const workspace = await store.workspaces.first();
    if (!workspace) {
      throw new LifelineError('no_workspace', 400, 'There is no workspace yet: run `lifeline admin create --email E --password P` first.');
    }
    const { apiKey, key } = await store
      .forWorkspace(workspace.id)
      .apiKeys.create({ name: options.name, role: options.role, createdBy: null }, 'cli');
    process.stdout.write(`Created API key "${apiKey.name}" (${apiKey.prefix}…) for workspace "${workspace.name}". Keep it secret; it is not shown again.\n`);
    process.stdout.write(`${key}\n`);
  } finally {
    await store.close();
  }
}

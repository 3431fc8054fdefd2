// `lifeline admin create`: the first user creates the workspace and owns it; later ones join it.
import { getCountries } from 'libphonenumber-js';
import type { Config } from '../config.js';
import { ROLES, type Role } from '../core/roles.js';
import { badRequest } from '../errors.js';
import { openStore } from './open-store.js';

const isCountry = (code: string) => (getCountries() as string[]).includes(code);

export async function adminCreate(
  config: Config,
  options: { email: string; password: string; name?: string; role: string; workspace: string; region?: string },
): Promise<void> {
  if (!ROLES.includes(options.role as Role)) throw badRequest('invalid_role', `--role must be one of ${ROLES.join(', ')}.`);
  if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw badRequest('invalid_email', `--email "${options.email}" is not an email address.`);
  const region = options.region?.toUpperCase();
  if (region && !isCountry(region)) throw badRequest('invalid_region', `--region "${options.region}" is not a country code: use two letters such as PE, US or ES.`);
  const store = await openStore(config);
  try {
    const existing = await store.workspaces.first();
    if (!existing) {
      const { workspace, owner } = await store.workspaces.createWithOwner({
        workspaceName: options.workspace,
        email: options.email,
        password: options.password,
        name: options.name,
        defaultRegion: region ?? null,
      });
      process.stdout.write(`Created workspace "${workspace.name}" (${workspace.id}) and its owner ${owner.email}.\n`);
      return;
    }
    const user = await store
      .forWorkspace(existing.id)
      .users.create({ email: options.email, password: options.password, name: options.name, role: options.role as Role }, 'cli');
    process.stdout.write(`Created ${user.role} ${user.email} in workspace "${existing.name}".\n`);
  } finally {
    await store.close();
  }
}

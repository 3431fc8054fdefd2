// Finding a workspace by its public slug, for the pages served at /c/{slug}. Only the id is read here; the caller
// loads the workspace through WorkspaceStore, the one place that knows a workspace row's shape.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function workspaceIdBySlug(db: Kysely<Database>, slug: string): Promise<string | null> {
  const row = await db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id ?? null;
}

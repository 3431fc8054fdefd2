// Contact search ignores accents from here on ("maria pena" finds "María Peña"): every stored search text is folded
// the same way, a page of contacts at a time. The folding is written out here, not imported, so that this migration
// does what it did whatever later code does.
import type { Kysely } from 'kysely';

const PAGE = 1000;

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

interface Tables {
  contacts: { id: string; search_text: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = db as unknown as Kysely<Tables>;
  for (let after = ''; ; ) {
    const rows = await tables.selectFrom('contacts').select(['id', 'search_text']).where('id', '>', after).orderBy('id').limit(PAGE).execute();
    if (rows.length === 0) return;
    for (const row of rows) {
      const folded = fold(row.search_text);
      if (folded !== row.search_text) await tables.updateTable('contacts').set({ search_text: folded }).where('id', '=', row.id).execute();
    }
    after = rows.at(-1)!.id;
  }
}

/** Folded text still finds what it found before (it is lower case either way); nothing to undo. */
export async function down(): Promise<void> {}

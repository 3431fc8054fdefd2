// Contact search on SQLite: `search_text LIKE '%…%'` reads every contact (~70 ms at 100k). An FTS5 table with the
// trigram tokenizer answers the same LIKE from an index; triggers keep it in step with contacts.
// PostgreSQL has its trigram GIN index (0003) instead; nothing changes there.
import { type Kysely, SqliteAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`create virtual table contact_search using fts5(search_text, contact_id unindexed, tokenize = 'trigram')`.execute(db);
  await sql`insert into contact_search (rowid, search_text, contact_id) select rowid, search_text, id from contacts`.execute(db);
  await sql`create trigger contact_search_insert after insert on contacts begin
    insert into contact_search (rowid, search_text, contact_id) values (new.rowid, new.search_text, new.id);
  end`.execute(db);
  await sql`create trigger contact_search_update after update of search_text on contacts begin
    update contact_search set search_text = new.search_text where rowid = new.rowid;
  end`.execute(db);
  await sql`create trigger contact_search_delete after delete on contacts begin
    delete from contact_search where rowid = old.rowid;
  end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  for (const trigger of ['contact_search_insert', 'contact_search_update', 'contact_search_delete']) {
    await sql`drop trigger if exists ${sql.ref(trigger)}`.execute(db);
  }
  await sql`drop table if exists contact_search`.execute(db);
}

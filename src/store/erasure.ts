// Erasing a customer (GDPR art. 17): the contact and everything Lifeline holds about them — identities, tags,
// conversations, messages, deliveries and their attempts, raw provider webhooks that name them, webhook deliveries
// about them, rows of other features keyed by the contact — in one transaction. The audit log keeps that an erasure
// happened and its counts, never who it was; older audit entries that name the person lose their details.
import { type Kysely, sql, SqliteAdapter } from 'kysely';
import { notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import type { Database } from './schema.js';

export interface ErasureReport {
  contactId: string;
  identities: number;
  conversations: number;
  messages: number;
  deliveries: number;
  deliveryAttempts: number;
  inboundEvents: number;
  webhookDeliveries: number;
  /** Rows of other tables keyed by the contact (broadcast recipients, call lists…), by table. */
  otherRows: Record<string, number>;
  auditEntriesRedacted: number;
}

/** Tables this class clears by name; any other table with a contact_id column is cleared generically. */
const KNOWN_TABLES = new Set(['contacts', 'contact_identities', 'contact_tags', 'conversations', 'messages', 'deliveries', 'delivery_attempts', 'audit_log']);
const CHUNK = 500;
/** Shorter handles (a 4-digit chat id) would match unrelated webhooks: they are not searched for. */
const MIN_NEEDLE = 6;

export class ContactErasureStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  async erase(contactId: string, actor: string): Promise<ErasureReport> {
    const ws = this.workspaceId;
    const sqlite = this.db.getExecutor().adapter instanceof SqliteAdapter;
    // SQLite would otherwise leave the deleted text in free pages of the file until they are reused.
    if (sqlite) await sql`pragma secure_delete = on`.execute(this.db);
    try {
      return await this.db.transaction().execute(async (trx) => {
        const contact = await trx.selectFrom('contacts').select(['id', 'name']).where('workspace_id', '=', ws).where('id', '=', contactId).executeTakeFirst();
        if (!contact) throw notFound('contact', contactId);
        const identities = await trx.selectFrom('contact_identities').select(['kind', 'value']).where('workspace_id', '=', ws).where('contact_id', '=', contactId).execute();
        // By contact id alone (the contact is this workspace's): with workspace_id too, SQLite walks the workspace's messages.
        const messages = await trx.selectFrom('messages').select(['id', 'provider_message_id']).where('contact_id', '=', contactId).execute();
        const messageIds = messages.map((m) => m.id);

        const report: ErasureReport = {
          contactId,
          identities: identities.length,
          conversations: 0,
          messages: messages.length,
          deliveries: 0,
          deliveryAttempts: 0,
          inboundEvents: 0,
          webhookDeliveries: 0,
          otherRows: {},
          auditEntriesRedacted: 0,
        };

        // Provider ids of sends: delivery receipts (raw webhooks below) name the message by them.
        const providerIds = messages.map((m) => m.provider_message_id);
        for (let at = 0; at < messageIds.length; at += CHUNK) {
          const chunk = messageIds.slice(at, at + CHUNK);
          const attempts = await trx.selectFrom('delivery_attempts').select(['channel_id', 'provider_message_id']).where('workspace_id', '=', ws).where('message_id', 'in', chunk).execute();
          for (const attempt of attempts) {
            if (!attempt.provider_message_id) continue;
            providerIds.push(attempt.provider_message_id);
            await trx
              .deleteFrom('delivery_early_receipts')
              .where('channel_id', '=', attempt.channel_id)
              .where('provider_message_id', '=', attempt.provider_message_id)
              .execute();
          }
          report.deliveryAttempts += Number((await trx.deleteFrom('delivery_attempts').where('message_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
          // By message: a merge moves messages to the kept contact, not their delivery rows' contact_id.
          report.deliveries += Number((await trx.deleteFrom('deliveries').where('message_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
        }

        // Raw webhooks that name one of the person's handles (as providers write them) or one of their messages
        // (their texts, receipts of sends to them), pending ones included: processed after the erasure, they would bring the person back.
        for (const group of groups(rawNeedles(identities, providerIds))) {
          const deleted = await trx.deleteFrom('inbound_events').where('workspace_id', '=', ws).where(bodyMatches(group)).executeTakeFirst();
          report.inboundEvents += Number(deleted.numDeletedRows);
        }

        const tables = await trx.introspection.getTables();
        if (tables.some((t) => t.name === 'webhook_deliveries')) {
          // Events sent to the business's own systems name the contact or one of their messages by id.
          for (const group of groups([contactId, ...messageIds])) {
            const deleted = await sql`delete from webhook_deliveries where workspace_id = ${ws} and ${bodyMatches(group)}`.execute(trx);
            report.webhookDeliveries += Number(deleted.numAffectedRows ?? 0);
          }
        }
        for (const table of tables) {
          if (KNOWN_TABLES.has(table.name) || !table.columns.some((c) => c.name === 'contact_id')) continue;
          const scoped = table.columns.some((c) => c.name === 'workspace_id');
          const deleted = scoped
            ? await sql`delete from ${sql.table(table.name)} where workspace_id = ${ws} and contact_id = ${contactId}`.execute(trx)
            : await sql`delete from ${sql.table(table.name)} where contact_id = ${contactId}`.execute(trx);
          const count = Number(deleted.numAffectedRows ?? 0);
          if (count > 0) report.otherRows[table.name] = count;
        }

        await trx.deleteFrom('messages').where('contact_id', '=', contactId).execute();
        report.conversations = Number((await trx.deleteFrom('conversations').where('workspace_id', '=', ws).where('contact_id', '=', contactId).executeTakeFirst()).numDeletedRows);
        await trx.deleteFrom('contact_tags').where('workspace_id', '=', ws).where('contact_id', '=', contactId).execute();
        await trx.deleteFrom('contact_identities').where('workspace_id', '=', ws).where('contact_id', '=', contactId).execute();
        await trx.deleteFrom('contacts').where('workspace_id', '=', ws).where('id', '=', contactId).execute();

        // Earlier audit entries about the contact, or whose details name one of their handles or their name (a
        // merge records the merged contact's name and handles), keep who did what and lose the details.
        const redactions = [sql<boolean>`target_id = ${contactId}`, sql<boolean>`details like ${`%${escapeLike(contactId)}%`} escape '\\'`];
        for (const needle of [...identities.map((i) => i.value), ...(contact.name && contact.name.length >= 3 ? [contact.name] : [])]) {
          redactions.push(sql<boolean>`details like ${`%${escapeLike(needle)}%`} escape '\\'`);
        }
        const redacted = await trx
          .updateTable('audit_log')
          .set({ details: JSON.stringify({ redacted: 'personal data of an erased contact' }) })
          .where('workspace_id', '=', ws)
          .where(sql<boolean>`(${sql.join(redactions, sql` or `)})`)
          .executeTakeFirst();
        report.auditEntriesRedacted = Number(redacted.numUpdatedRows);

        // Import results quote the rows they refused and name the contacts they matched.
        for (const group of groups([contactId, ...identities.map((i) => i.value).filter((v) => v.length >= MIN_NEEDLE)])) {
          const match = sql<boolean>`(${sql.join(group.map((n) => sql`result like ${`%${escapeLike(n)}%`} escape '\\'`), sql` or `)})`;
          await trx
            .updateTable('imports')
            .set({ result: null, error: 'The result was removed when a contact it named was erased.' })
            .where('workspace_id', '=', ws)
            .where(match)
            .execute();
        }

        const { contactId: _id, ...counts } = report;
        await new AuditLog(trx, ws).record(actor, 'contact.erased', { type: 'contact', id: contactId }, counts);
        return report;
      });
    } finally {
      if (sqlite) await sql`pragma secure_delete = off`.execute(this.db);
    }
  }
}

/** `body` contains any of the needles. */
function bodyMatches(needles: readonly string[]) {
  return sql<boolean>`(${sql.join(needles.map((n) => sql`body like ${`%${escapeLike(n)}%`} escape '\\'`), sql` or `)})`;
}

/** Needles twenty at a time: one statement per group keeps each LIKE scan's list short. */
function groups<T>(items: readonly T[], size = 20): T[][] {
  const result: T[][] = [];
  for (let at = 0; at < items.length; at += size) result.push(items.slice(at, at + size));
  return result;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * What the person's raw webhooks contain: each handle as stored, phone numbers also as providers write them (WhatsApp
 * and Viber without "+", Twilio form-encoded as %2B…), and the provider ids of their messages.
 */
export function rawNeedles(identities: readonly { kind: string; value: string }[], providerIds: readonly (string | null)[]): string[] {
  const needles = new Set<string>();
  for (const { value } of identities) {
    needles.add(value);
    if (value.startsWith('+')) {
      needles.add(value.slice(1));
      needles.add(`%2B${value.slice(1)}`);
    }
  }
  for (const id of providerIds) if (id) needles.add(id);
  return [...needles].filter((n) => n.length >= MIN_NEEDLE);
}

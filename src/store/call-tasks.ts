// Call tasks: outbound messages on the voice channel are calls for staff to make. A task is open while its message
// is 'sent' and done once someone records how the call went (the message becomes delivered or failed, a note
// lands in the contact's timeline, and the audit log keeps the outcome and who recorded it).
import type { Kysely } from 'kysely';
import { conflict, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { fromJson } from './json.js';
import { MessageStore, type TimelineItem } from './messages.js';
import type { Database } from './schema.js';

export const CALL_OUTCOMES = ['reached', 'no_answer', 'voicemail', 'wrong_number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export type CallTaskStatus = 'open' | 'done';

export interface CallTask {
  id: string;
  contactId: string;
  contactName: string | null;
  /** The contact's phone number (their first phone identity), or null when they have none any more. */
  phone: string | null;
  text: string;
  status: CallTaskStatus;
  outcome: CallOutcome | null;
  channelId: string | null;
  conversationId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CallRecorder {
  /** How the audit log names the caller (`user:<id>`, `apikey:<id>`). */
  actor: string;
  userId: string | null;
  /** Shown in the timeline note: the staff member's name or the API key's. */
  displayName: string;
}

/** What each outcome does to the message: delivered when the customer got the message, failed otherwise. */
const OUTCOME_EFFECT: Record<CallOutcome, { status: 'delivered' | 'failed'; label: string; error?: { category: string; explanation: string } }> = {
  reached: { status: 'delivered', label: 'reached the customer' },
  voicemail: { status: 'delivered', label: 'left a voicemail' },
  no_answer: {
    status: 'failed',
    label: 'no answer',
    error: { category: 'transient', explanation: 'Nobody answered the call. Try again later, or reach the customer on another channel.' },
  },
  wrong_number: {
    status: 'failed',
    label: 'wrong number',
    error: {
      category: 'invalid_recipient',
      explanation: "The number called does not belong to the customer. Correct the contact's phone number; Lifeline will use their other channels.",
    },
  },
};

const OPEN_STATUSES = ['sent'];
const DONE_STATUSES = ['delivered', 'read', 'failed'];
const OUTCOME_ACTION = 'call_task.outcome';

const isOutcome = (value: unknown): value is CallOutcome => typeof value === 'string' && (CALL_OUTCOMES as readonly string[]).includes(value);

export class CallTaskStore {
  private readonly messages: MessageStore;
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {
    this.messages = new MessageStore(db, workspaceId);
    this.audit = new AuditLog(db, workspaceId);
  }

  /** Open tasks oldest first (the call queue); done tasks most recently finished first. */
  async list(status: CallTaskStatus, limit = 200): Promise<CallTask[]> {
    let q = this.baseQuery().where('messages.status', 'in', status === 'open' ? OPEN_STATUSES : DONE_STATUSES);
    q = status === 'open' ? q.orderBy('messages.created_at', 'asc') : q.orderBy('messages.updated_at', 'desc');
    const rows = await q.orderBy('messages.id').limit(Math.min(Math.max(limit, 1), 500)).execute();
    return this.hydrate(rows);
  }

  /** A voice message that has become a task (sent or finished); null for anything else or another workspace's. */
  async get(id: string): Promise<CallTask | null> {
    const rows = await this.baseQuery()
      .where('messages.id', '=', id)
      .where('messages.status', 'in', [...OPEN_STATUSES, ...DONE_STATUSES])
      .execute();
    return (await this.hydrate(rows))[0] ?? null;
  }

  /**
   * Records how the call went. The status change is conditional on the task still being open, so two staff
   * recording at once get one success and one 409.
   */
  /** Records the outcome; `receipt` is what it means for the message's delivery (the voice channel's receipt). */
  async recordOutcome(
    id: string,
    input: { outcome: CallOutcome; note?: string | null },
    by: CallRecorder,
  ): Promise<{ task: CallTask; note: TimelineItem; receipt: { status: 'delivered' | 'failed'; error: { category: string; explanation: string } | null } }> {
    const task = await this.get(id);
    if (!task) throw notFound('call task', id);
    if (task.status === 'done') throw alreadyDone(id);
    const effect = OUTCOME_EFFECT[input.outcome];
    const now = Date.now();
    const updated = await this.db
      .updateTable('messages')
      .set({ status: effect.status, updated_at: now, error_category: effect.error?.category ?? null, error_explanation: effect.error?.explanation ?? null })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .where('status', 'in', OPEN_STATUSES)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw alreadyDone(id);
    const note = await this.messages.append({
      contactId: task.contactId,
      direction: 'note',
      body: noteText(task, effect.label, input.note, by.displayName),
      authorUserId: by.userId,
      conversationId: task.conversationId,
      channelId: task.channelId,
      createdAt: now,
    });
    await this.audit.record(by.actor, OUTCOME_ACTION, { type: 'message', id }, { outcome: input.outcome, note: input.note ?? null, noteId: note.id });
    const done = await this.get(id);
    if (!done) throw notFound('call task', id);
    return { task: done, note, receipt: { status: effect.status, error: effect.error ?? null } };
  }

  private baseQuery() {
    return this.db
      .selectFrom('messages')
      .innerJoin('contacts', (join) =>
        join.onRef('contacts.id', '=', 'messages.contact_id').onRef('contacts.workspace_id', '=', 'messages.workspace_id'),
      )
      .select([
        'messages.id',
        'messages.contact_id',
        'messages.body',
        'messages.status',
        'messages.channel_id',
        'messages.conversation_id',
        'messages.created_at',
        'messages.updated_at',
        'contacts.name as contact_name',
      ])
      .where('messages.workspace_id', '=', this.workspaceId)
      .where('messages.channel', '=', 'voice')
      .where('messages.direction', '=', 'outbound');
  }

  private async hydrate(rows: Awaited<ReturnType<ReturnType<CallTaskStore['baseQuery']>['execute']>>): Promise<CallTask[]> {
    if (rows.length === 0) return [];
    const phones = await this.phonesOf([...new Set(rows.map((r) => r.contact_id))]);
    const outcomes = await this.outcomesOf(rows.filter((r) => DONE_STATUSES.includes(r.status)).map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      contactId: r.contact_id,
      contactName: r.contact_name,
      phone: phones.get(r.contact_id) ?? null,
      text: r.body,
      status: OPEN_STATUSES.includes(r.status) ? 'open' : 'done',
      outcome: outcomes.get(r.id) ?? null,
      channelId: r.channel_id,
      conversationId: r.conversation_id,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  private async phonesOf(contactIds: string[]): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('contact_identities')
      .select(['contact_id', 'value'])
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', 'in', contactIds)
      .where('kind', '=', 'phone')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const phones = new Map<string, string>();
    for (const row of rows) if (!phones.has(row.contact_id)) phones.set(row.contact_id, row.value);
    return phones;
  }

  private async outcomesOf(messageIds: string[]): Promise<Map<string, CallOutcome>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['target_id', 'details'])
      .where('workspace_id', '=', this.workspaceId)
      .where('action', '=', OUTCOME_ACTION)
      .where('target_type', '=', 'message')
      .where('target_id', 'in', messageIds)
      .execute();
    const outcomes = new Map<string, CallOutcome>();
    for (const row of rows) {
      const { outcome } = fromJson<{ outcome?: unknown }>(row.details, {});
      if (row.target_id && isOutcome(outcome)) outcomes.set(row.target_id, outcome);
    }
    return outcomes;
  }
}

function alreadyDone(id: string) {
  return conflict('call_task_done', `The outcome of call task ${id} is already recorded: see the note in the contact's timeline.`);
}

function noteText(task: CallTask, label: string, note: string | null | undefined, recordedBy: string): string {
  const phone = task.phone ? ` to ${task.phone}` : '';
  const lines = [`Call${phone}: ${label}. Recorded by ${recordedBy}.`];
  if (note?.trim()) lines.push(`Note: ${note.trim()}`);
  return lines.join('\n');
}

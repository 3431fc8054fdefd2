// Store benchmark: fills one workspace with a realistic inbox (100k contacts, 1M messages by default) on SQLite
// and, when LIFELINE_TEST_DATABASE_URL is set, on a fresh PostgreSQL database, then measures the latency of the
// queries the server answers most: the conversation list, a contact's timeline and the contact search.
//
//   npx tsx bench/store.ts [--contacts 100000] [--messages 1000000] [--samples 500] [--seed 1] [--db sqlite,postgres]
//
// The same options can come from the environment: BENCH_CONTACTS, BENCH_MESSAGES, BENCH_SAMPLES, BENCH_SEED, BENCH_DB.
// Exactly one JSON line goes to stdout; progress and notices go to stderr.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { v7 } from 'uuid';
import { encodeCursor } from '../src/core/cursor.js';
import { identityMatchKey, normalizePhone } from '../src/core/identity.js';
import { type ContactQuery, searchText } from '../src/store/contacts.js';
import type { ConversationFilter, ConversationStatus } from '../src/store/conversations.js';
import type { Dialect } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import { Store, type WorkspaceData } from '../src/store/store.js';

const TARGETS = { listP99Ms: 20, timelineP99Ms: 20, searchP99Ms: 100 } as const;
const PAGE = 50;
const DAY = 86_400_000;
const SPAN = 90 * DAY;

// ---------------------------------------------------------------------------------------------------------------
// Options

interface Options {
  contacts: number;
  messages: number;
  samples: number;
  seed: number;
  dbs: Set<Dialect>;
  /** Leave the SQLite file and the PostgreSQL database in place, to look at query plans afterwards. */
  keep: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string' },
      messages: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      db: { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  const int = (name: string, flag: string | undefined, env: string | undefined, fallback: number, min: number): number => {
    const text = flag ?? env;
    if (text === undefined || text === '') return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
    return value;
  };
  const dbs = (values.db ?? process.env.BENCH_DB ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  for (const d of dbs) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--db takes sqlite and/or postgres, got "${d}"`);
  return {
    contacts: int('contacts', values.contacts, process.env.BENCH_CONTACTS, 100_000, 100),
    messages: int('messages', values.messages, process.env.BENCH_MESSAGES, 1_000_000, 0),
    samples: int('samples', values.samples, process.env.BENCH_SAMPLES, 500, 10),
    seed: int('seed', values.seed, process.env.BENCH_SEED, 1, 0),
    dbs: new Set(dbs as Dialect[]),
    keep: values.keep ?? process.env.BENCH_KEEP === '1',
  };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness, so that every run (and both databases) get the same data and the same queries.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let rand = mulberry32(1);
const randInt = (n: number): number => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[randInt(items.length)]!;
function weighted<T>(items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

// ---------------------------------------------------------------------------------------------------------------
// The data set, generated once in memory and written to every database.

const FIRST_NAMES = [
  'María', 'José', 'Juan', 'Rosa', 'Carlos', 'Ana', 'Luis', 'Carmen', 'Jorge', 'Lucía', 'Miguel', 'Elena', 'Pedro',
  'Sofía', 'César', 'Julia', 'Víctor', 'Patricia', 'Raúl', 'Gabriela', 'Diego', 'Valeria', 'Fernando', 'Milagros',
  'Ricardo', 'Flor', 'Alberto', 'Karina', 'Hugo', 'Diana', 'Óscar', 'Andrea', 'Manuel', 'Isabel', 'Walter', 'Yolanda',
];
const LAST_NAMES = [
  'Quispe', 'Flores', 'Sánchez', 'Rodríguez', 'García', 'Mamani', 'Huamán', 'Rojas', 'Vásquez', 'Chávez', 'Ramírez',
  'Torres', 'Díaz', 'Mendoza', 'Castillo', 'Gutiérrez', 'Espinoza', 'Pérez', 'Ramos', 'Cruz', 'Condori', 'López',
  'Vargas', 'Romero', 'Salazar', 'Castro', 'Ruiz', 'Herrera', 'Morales', 'Ccori', 'Paredes', 'Medina', 'Aguilar',
];
const EMAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.es', 'gmail.com', 'gmail.com', 'empresa.pe'];
const TAGS: readonly (readonly [string, number])[] = [
  ['cliente', 0.45],
  ['lima', 0.35],
  ['newsletter', 0.25],
  ['lead', 0.2],
  ['arequipa', 0.08],
  ['mayorista', 0.05],
  ['cusco', 0.04],
  ['vip', 0.02],
  ['moroso', 0.01],
  ['proveedor', 0.003],
];
const CHANNELS: readonly (readonly [string, number])[] = [
  ['whatsapp', 55],
  ['email', 15],
  ['telegram', 8],
  ['twilio-sms', 10],
  ['messenger', 5],
  ['instagram', 4],
  ['webchat', 3],
];
const STATUSES: readonly (readonly [ConversationStatus, number])[] = [
  ['open', 30],
  ['pending', 15],
  ['resolved', 55],
];
const BODIES = [
  'Hola, buenos días. ¿Tienen stock del producto que vi en su catálogo?',
  'Gracias por escribirnos. Sí, tenemos stock; ¿a qué distrito se lo enviamos?',
  '¿Cuál es el horario de atención el sábado?',
  'Atendemos de 9 a 18 h de lunes a sábado.',
  'Ya hice el depósito, le envío la constancia.',
  'Recibido, su pedido sale mañana por la mañana.',
  '¿Hacen envíos a provincia? Estoy en Arequipa.',
  'Sí, enviamos por Olva Courier, el costo es S/ 15.',
  'El paquete llegó bien, muchas gracias.',
  'Cliente pide factura con RUC, revisar datos antes de emitir.',
  '¿Me puede pasar el número de cuenta para transferir?',
  'Le escribo por el reclamo del pedido de la semana pasada.',
  'Su cita está confirmada para el jueves a las 10:30.',
  '¿Puedo cambiar la talla? Me quedó chico.',
  'Claro, puede acercarse a la tienda con su boleta.',
  'Buenas tardes, ¿sigue vigente la promoción?',
];

interface Plan {
  workspaceId: string;
  users: { id: string; email: string; name: string }[];
  tagIds: Map<string, string>;
  contacts: {
    id: string;
    name: string;
    phone: string;
    email: string;
    tags: string[];
    createdAt: number;
    identityIds: [string, string];
  }[];
  conversations: {
    id: string;
    status: ConversationStatus;
    assigneeId: string | null;
    channel: string;
    lastActivityAt: number;
    createdAt: number;
  }[];
  /** Messages in creation order: contact index, time, id, body and direction. */
  messages: { contact: Int32Array; at: Float64Array; ids: string[]; body: Uint8Array; direction: Uint8Array };
  messageCounts: Int32Array;
  now: number;
}

const DIRECTIONS = ['inbound', 'outbound', 'note'] as const;

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function makePlan(options: Options): Plan {
  rand = mulberry32(options.seed);
  const now = Date.now();
  const start = now - SPAN;
  const n = options.contacts;
  const m = options.messages;

  // Messages: a few heavy contacts (shops' regulars, group chats, integrations) hold ~20% of all messages; the rest
  // follow a skewed draw, so counts range from none to hundreds.
  const heavy = Math.max(1, Math.round(n / 2000));
  const heavyWeights = Array.from({ length: heavy }, () => 0.25 + rand() * 1.75);
  const heavyTotal = heavyWeights.reduce((a, b) => a + b, 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const contactOf = new Int32Array(m);
  const at = new Float64Array(m);
  for (let k = 0; k < m; k++) at[k] = start + rand() * SPAN;
  at.sort();
  for (let k = 0; k < m; k++) {
    let c: number;
    if (rand() < 0.2) {
      let r = rand() * heavyTotal;
      let h = 0;
      while (h < heavy - 1 && r >= heavyWeights[h]!) r -= heavyWeights[h++]!;
      c = order[h]!;
    } else {
      const u = rand();
      c = order[heavy + Math.floor((n - heavy) * u * u)]!;
    }
    contactOf[k] = c;
  }
  const counts = new Int32Array(n);
  const firstAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const lastAt = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let k = 0; k < m; k++) {
    const c = contactOf[k]!;
    counts[c]!++;
    firstAt[c] = Math.min(firstAt[c]!, at[k]!);
    lastAt[c] = Math.max(lastAt[c]!, at[k]!);
  }
  const ids: string[] = new Array(m);
  const body = new Uint8Array(m);
  const direction = new Uint8Array(m);
  for (let k = 0; k < m; k++) {
    ids[k] = v7({ msecs: Math.floor(at[k]!) });
    body[k] = randInt(BODIES.length);
    direction[k] = rand() < 0.5 ? 0 : rand() < 0.9 ? 1 : 2;
  }

  const workspaceId = v7({ msecs: start - DAY });
  const users = ['Ana Torres', 'Bruno Díaz', 'Carla Rojas', 'Daniel Paredes', 'Eva Medina'].map((name, i) => ({
    id: v7({ msecs: start - DAY + i + 1 }),
    name,
    email: `${stripAccents(name).toLowerCase().replace(' ', '.')}@bench.lifeline.test`,
  }));
  const tagIds = new Map(TAGS.map(([name]) => [name, v7({ msecs: start - DAY })]));

  // Unique phones: an affine map of the index onto 8 digits is a bijection when its factor is coprime with 10^8.
  const factor = 48_271 * 2 + 1;
  const offset = randInt(100_000_000);
  const contacts: Plan['contacts'] = [];
  const conversations: Plan['conversations'] = [];
  for (let i = 0; i < n; i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const second = rand() < 0.6 ? pick(LAST_NAMES) : null;
    const name = second ? `${first} ${last} ${second}` : `${first} ${last}`;
    const suffix = String((i * factor + offset) % 100_000_000).padStart(8, '0');
    const phone = normalizePhone(`+51 9${suffix.slice(0, 2)} ${suffix.slice(2, 5)} ${suffix.slice(5)}`);
    const email = `${stripAccents(`${first}.${last}`).toLowerCase()}${i}@${pick(EMAIL_DOMAINS)}`;
    const tags = TAGS.filter(([, p]) => rand() < p).map(([t]) => t);
    const born = start + rand() * SPAN;
    const createdAt = Math.floor(Math.min(born, firstAt[i]! - rand() * DAY));
    contacts.push({
      id: v7({ msecs: createdAt }),
      name,
      phone,
      email,
      tags,
      createdAt,
      identityIds: [v7({ msecs: createdAt }), v7({ msecs: createdAt })],
    });
    const status = weighted(STATUSES);
    const assigned = status === 'resolved' ? rand() < 0.5 : rand() < 0.7;
    conversations.push({
      id: v7({ msecs: createdAt }),
      status,
      assigneeId: assigned ? users[Math.min(users.length - 1, Math.floor(rand() * rand() * users.length * 1.5))]!.id : null,
      channel: weighted(CHANNELS),
      lastActivityAt: counts[i]! > 0 ? Math.floor(lastAt[i]!) : createdAt,
      createdAt,
    });
  }
  // Contacts are written in the order they were created, as a live system writes them, so that the table's physical
  // order follows created_at like it does in production (it decides how many pages a scan in that order touches).
  const byCreation = Array.from({ length: n }, (_, i) => i).sort((a, b) => contacts[a]!.createdAt - contacts[b]!.createdAt);
  const rank = new Int32Array(n);
  byCreation.forEach((old, position) => {
    rank[old] = position;
  });
  for (let k = 0; k < m; k++) contactOf[k] = rank[contactOf[k]!]!;
  return {
    workspaceId,
    users,
    tagIds,
    contacts: byCreation.map((i) => contacts[i]!),
    conversations: byCreation.map((i) => conversations[i]!),
    messages: { contact: contactOf, at, ids, body, direction },
    messageCounts: Int32Array.from(byCreation, (i) => counts[i]!),
    now,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Filling a database

/** Rows per INSERT statement: SQLite allows 32766 bound variables per statement, PostgreSQL 65535. */
function rowsPerStatement(dialect: Dialect, columns: number): number {
  const limit = dialect === 'sqlite' ? 32_766 : 65_535;
  return Math.min(1000, Math.floor(limit / columns));
}

class Progress {
  private nextPercent = 10;
  private done = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly started = performance.now(),
  ) {}
  add(rows: number): void {
    this.done += rows;
    const percent = this.total === 0 ? 100 : (this.done / this.total) * 100;
    if (percent < this.nextPercent) return;
    const secs = ((performance.now() - this.started) / 1000).toFixed(1);
    log(`  ${this.label} ${String(Math.floor(percent)).padStart(3)}% (${this.done}/${this.total}) ${secs}s`);
    while (this.nextPercent <= percent) this.nextPercent += 10;
  }
}

/**
 * Writes `total` rows made by `row(i)` with multi-row INSERTs, a transaction per chunk. PostgreSQL gets a few
 * chunks in flight at once so that the server works while Node builds the next statement.
 */
async function bulkInsert<T extends keyof Database & string>(
  db: Kysely<Database>,
  dialect: Dialect,
  table: T,
  total: number,
  columns: number,
  row: (i: number) => Database[T],
  progress: Progress,
): Promise<void> {
  const perStatement = rowsPerStatement(dialect, columns);
  const perTransaction = perStatement * 20;
  const concurrency = dialect === 'postgres' ? 3 : 1;
  let nextChunk = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const from = nextChunk;
      if (from >= total) return;
      nextChunk += perTransaction;
      const to = Math.min(total, from + perTransaction);
      await db.transaction().execute(async (trx) => {
        for (let s = from; s < to; s += perStatement) {
          const rows: Database[T][] = [];
          for (let i = s; i < Math.min(to, s + perStatement); i++) rows.push(row(i));
          // Kysely cannot relate a generic table name to its insert type; `row` is typed by the caller instead.
          await trx.insertInto(table).values(rows as never).execute();
          progress.add(rows.length);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function fill(store: Store, plan: Plan, label: string): Promise<number> {
  const { db, dialect } = store;
  const started = performance.now();
  // SQLite's default 2 MB page cache makes the random index inserts of a bulk load read pages back from the OS over
  // and over; a larger cache for the load only keeps the fill fast. The measurements run with the default again.
  const cacheSize = dialect === 'sqlite' ? (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size : undefined;
  if (cacheSize !== undefined) await sql`pragma cache_size = -262144`.execute(db);
  const ws = plan.workspaceId;
  await db
    .insertInto('workspaces')
    .values({
      id: ws,
      name: 'Bodega Benchmark',
      default_region: 'PE',
      timezone: 'America/Lima',
      settings: JSON.stringify({}),
      created_at: plan.now - SPAN - DAY,
    })
    .execute();
  await db
    .insertInto('users')
    .values(
      plan.users.map((u) => ({
        id: u.id,
        workspace_id: ws,
        email: u.email,
        name: u.name,
        role: 'agent',
        password_hash: 'scrypt$bench',
        created_at: plan.now - SPAN - DAY,
        disabled_at: null,
      })),
    )
    .execute();
  await db
    .insertInto('tags')
    .values([...plan.tagIds].map(([name, id]) => ({ id, workspace_id: ws, name })))
    .execute();
  // One channel per kind, through the store so that its configuration is sealed as in production.
  const channelIds = new Map<string, string>();
  for (const [kind] of CHANNELS) {
    const channel = await store.forWorkspace(ws, 'PE').channels.create({ kind, name: `Bench ${kind}`, config: {} }, 'bench');
    channelIds.set(kind, channel.id);
  }

  const n = plan.contacts.length;
  const tagRows: { contact: number; tag: string }[] = [];
  plan.contacts.forEach((c, i) => {
    for (const t of c.tags) tagRows.push({ contact: i, tag: t });
  });
  const m = plan.messages.ids.length;
  const progress = (name: string, total: number) => new Progress(`[${label}] ${name}`, total);

  await bulkInsert(db, dialect, 'contacts', n, 10, (i) => {
    const c = plan.contacts[i]!;
    return {
      id: c.id,
      workspace_id: ws,
      name: c.name,
      search_text: searchText(c.name, [c.phone, c.email]),
      address: null,
      preferred_channels: '[]',
      timezone: null,
      language: 'es',
      created_at: c.createdAt,
      updated_at: c.createdAt,
    };
  }, progress('contacts', n));
  await bulkInsert(db, dialect, 'contact_identities', n * 2, 10, (k) => {
    const c = plan.contacts[k >> 1]!;
    const kind = k & 1 ? 'email' : 'phone';
    const value = k & 1 ? c.email : c.phone;
    return {
      id: c.identityIds[k & 1]!,
      workspace_id: ws,
      contact_id: c.id,
      kind,
      value,
      match_key: identityMatchKey(kind, value),
      consent: kind === 'phone' ? 'granted' : 'unknown',
      consent_source: kind === 'phone' ? 'whatsapp-optin' : null,
      consent_at: kind === 'phone' ? c.createdAt : null,
      created_at: c.createdAt,
    };
  }, progress('identities', n * 2));
  await bulkInsert(db, dialect, 'contact_tags', tagRows.length, 3, (k) => {
    const t = tagRows[k]!;
    return { workspace_id: ws, contact_id: plan.contacts[t.contact]!.id, tag_id: plan.tagIds.get(t.tag)! };
  }, progress('contact tags', tagRows.length));
  await bulkInsert(db, dialect, 'conversations', n, 8, (i) => {
    const v = plan.conversations[i]!;
    return {
      id: v.id,
      workspace_id: ws,
      contact_id: plan.contacts[i]!.id,
      status: v.status,
      assignee_id: v.assigneeId,
      channel: v.channel,
      last_activity_at: v.lastActivityAt,
      created_at: v.createdAt,
    };
  }, progress('conversations', n));
  const msg = plan.messages;
  await bulkInsert(db, dialect, 'messages', m, 15, (k) => {
    const c = msg.contact[k]!;
    const direction = DIRECTIONS[msg.direction[k]!]!;
    const conversation = plan.conversations[c]!;
    const at = Math.floor(msg.at[k]!);
    return {
      id: msg.ids[k]!,
      workspace_id: ws,
      contact_id: plan.contacts[c]!.id,
      conversation_id: conversation.id,
      direction,
      channel: direction === 'note' ? null : conversation.channel,
      body: BODIES[msg.body[k]!]!,
      attachments: '[]',
      provider_message_id: direction === 'note' ? null : `wamid.${msg.ids[k]!}`,
      channel_id: direction === 'note' ? null : channelIds.get(conversation.channel)!,
      status: direction === 'inbound' ? 'received' : direction === 'note' ? 'note' : 'delivered',
      error_category: null,
      error_explanation: null,
      author_user_id: direction === 'inbound' ? null : conversation.assigneeId,
      created_at: at,
      updated_at: at,
    };
  }, progress('messages', m));
  if (cacheSize !== undefined) await sql.raw(`pragma cache_size = ${Number(cacheSize)}`).execute(db);
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface Stats {
  p50: number;
  p99: number;
  mean: number;
  max: number;
  n: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: round2(rank(0.5)), p99: round2(rank(0.99)), mean: round2(mean), max: round2(sorted.at(-1) ?? 0), n: sorted.length };
}

/** One kind of request: `next` picks its arguments (untimed) and returns the timed call through the store API. */
interface Case {
  name: string;
  next: () => Promise<() => Promise<unknown>>;
}

function kase<A>(name: string, prepare: () => A | Promise<A>, run: (args: A) => Promise<unknown>): Case {
  return {
    name,
    next: async () => {
      const args = await prepare();
      return () => run(args);
    },
  };
}

interface OperationResult extends Stats {
  cases: Record<string, Stats>;
}

async function measure(cases: Case[], samples: number, warmup: number): Promise<OperationResult> {
  for (let i = 0; i < warmup; i++) {
    await (await cases[i % cases.length]!.next())();
  }
  const all: number[] = [];
  const byCase = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < samples; i++) {
    const c = cases[i % cases.length]!;
    const call = await c.next();
    const t0 = performance.now();
    await call();
    const ms = performance.now() - t0;
    all.push(ms);
    byCase.get(c.name)!.push(ms);
  }
  return { ...stats(all), cases: Object.fromEntries([...byCase].map(([name, s]) => [name, stats(s)])) };
}

function conversationCases(plan: Plan, ws: WorkspaceData): Case[] {
  const filters: [string, ConversationFilter, (i: number) => boolean][] = [
    ['all', {}, () => true],
    ['open', { status: 'open' }, (i) => plan.conversations[i]!.status === 'open'],
    ['assignee', { assignee: plan.users[1]!.id }, (i) => plan.conversations[i]!.assigneeId === plan.users[1]!.id],
    ['whatsapp', { channel: 'whatsapp' }, (i) => plan.conversations[i]!.channel === 'whatsapp'],
  ];
  const cases: Case[] = [];
  for (const [name, filter, matches] of filters) {
    const matching = plan.conversations.flatMap((_, i) => (matches(i) ? [i] : []));
    cases.push(kase(`${name}:first`, () => null, () => ws.conversations.list({ ...filter, limit: PAGE })));
    // A deeper page: the cursor of a random conversation of the filtered list, as a client paging through it
    // (an export, a sync, a long scroll) sends after many pages.
    cases.push(
      kase(
        `${name}:deep`,
        () => {
          const v = plan.conversations[pick(matching)]!;
          return encodeCursor({ at: v.lastActivityAt, id: v.id });
        },
        (cursor) => ws.conversations.list({ ...filter, cursor, limit: PAGE }),
      ),
    );
  }
  return cases;
}

function timelineCases(plan: Plan, ws: WorkspaceData): Case[] {
  const n = plan.contacts.length;
  const byCount = Array.from({ length: n }, (_, i) => i).sort((a, b) => plan.messageCounts[b]! - plan.messageCounts[a]!);
  const heavy = byCount.slice(0, Math.max(1, Math.round(n / 2000)));
  const paged = byCount.filter((i) => plan.messageCounts[i]! > PAGE);
  log(
    `  timeline: heaviest contact has ${plan.messageCounts[byCount[0]!]} messages, ${heavy.length} heavy contacts, ` +
      `${paged.length} with more than one page, ${byCount.filter((i) => plan.messageCounts[i] === 0).length} with none`,
  );
  const id = (i: number) => plan.contacts[i]!.id;
  const secondPage = (pool: number[]) => async () => {
    const contactId = id(pick(pool));
    const first = await ws.messages.timeline(contactId, { limit: PAGE });
    return { contactId, cursor: first.nextCursor ?? undefined };
  };
  const page = (a: { contactId: string; cursor?: string }) => ws.messages.timeline(a.contactId, { cursor: a.cursor, limit: PAGE });
  const cases: Case[] = [
    kase('random:first', () => ({ contactId: id(randInt(n)) }), page),
    kase('heavy:first', () => ({ contactId: id(pick(heavy)) }), page),
  ];
  if (paged.length > 0) {
    // Second pages of contacts that have one: a random such contact, and a heavy one.
    cases.push(kase('random:second', secondPage(paged), page), kase('heavy:second', secondPage(heavy), page));
  }
  return cases;
}

function searchCases(plan: Plan, ws: WorkspaceData): Case[] {
  const n = plan.contacts.length;
  const contact = () => plan.contacts[randInt(n)]!;
  const list = (q: ContactQuery) => ws.contacts.list({ ...q, limit: PAGE });
  const fragment = (word: string) => {
    const w = word.toLowerCase();
    const len = Math.min(w.length, 3 + randInt(3));
    const at = randInt(w.length - len + 1);
    return w.slice(at, at + len);
  };
  const search = (query: string) => list({ query });
  return [
    // A piece of a first or last name: many matches, the page fills quickly.
    kase('name-fragment', () => fragment(pick(rand() < 0.5 ? FIRST_NAMES : LAST_NAMES)), search),
    // A full name as typed: a few dozen matches spread over the whole table.
    kase('full-name', () => contact().name.split(' ').slice(0, 2).join(' '), search),
    // The last six digits of a phone: usually one match, so the whole workspace is searched.
    kase('phone-last6', () => contact().phone.slice(-6), search),
    // A whole number as a person types it, with spaces.
    kase(
      'phone-typed',
      () => {
        const p = contact().phone;
        return `${p.slice(3, 6)} ${p.slice(6, 9)} ${p.slice(9)}`;
      },
      search,
    ),
    // The local part of an email.
    kase('email-fragment', () => contact().email.split('@')[0]!, search),
    // A tag, common or rare.
    kase('tag', () => pick(TAGS)[0], (tag) => list({ tag })),
  ];
}

interface DatabaseResult {
  fillSec: number;
  analyzeSec: number;
  conversationList: OperationResult;
  timeline: OperationResult;
  search: OperationResult;
}

async function runOn(store: Store, plan: Plan, options: Options, label: string): Promise<DatabaseResult> {
  log(`[${label}] filling ${plan.contacts.length} contacts, ${plan.messages.ids.length} messages`);
  const fillSec = await fill(store, plan, label);
  log(`[${label}] filled in ${fillSec.toFixed(1)}s; analyzing`);
  const t0 = performance.now();
  // On PostgreSQL a bulk load also leaves work for autovacuum (visibility map, hint bits); doing it now measures the
  // steady state instead of racing the autovacuum worker for this machine's two cores.
  await (store.dialect === 'postgres' ? sql`vacuum (analyze)` : sql`analyze`).execute(store.db);
  const analyzeSec = (performance.now() - t0) / 1000;
  const ws = store.forWorkspace(plan.workspaceId, 'PE');
  const warmup = Math.max(20, Math.round(options.samples / 5));
  rand = mulberry32(options.seed + 1);
  log(`[${label}] measuring conversation list`);
  const conversationList = await measure(conversationCases(plan, ws), options.samples, warmup);
  log(`[${label}] measuring timeline`);
  const timeline = await measure(timelineCases(plan, ws), options.samples, warmup);
  log(`[${label}] measuring search`);
  const search = await measure(searchCases(plan, ws), options.samples, warmup);
  return { fillSec: round2(fillSec), analyzeSec: round2(analyzeSec), conversationList, timeline, search };
}

function passes(result: DatabaseResult): boolean {
  return (
    result.conversationList.p99 < TARGETS.listP99Ms &&
    result.timeline.p99 < TARGETS.timelineP99Ms &&
    result.search.p99 < TARGETS.searchP99Ms
  );
}

function summarize(label: string, r: DatabaseResult): void {
  for (const [op, result] of [
    ['conversationList', r.conversationList],
    ['timeline', r.timeline],
    ['search', r.search],
  ] as const) {
    log(`[${label}] ${op}: p50 ${result.p50} ms, p99 ${result.p99} ms, mean ${result.mean} ms`);
    for (const [name, s] of Object.entries(result.cases)) {
      log(`    ${name.padEnd(16)} p50 ${String(s.p50).padStart(7)}  p99 ${String(s.p99).padStart(7)}  max ${String(s.max).padStart(7)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function benchSqlite(plan: Plan, options: Options): Promise<DatabaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-'));
  const store = await Store.open(join(dir, 'bench.db'));
  try {
    return await runOn(store, plan, options, 'sqlite');
  } finally {
    await store.close();
    if (options.keep) log(`[sqlite] kept ${join(dir, 'bench.db')}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(plan: Plan, options: Options, adminUrl: string): Promise<DatabaseResult> {
  const name = `lifeline_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    log(`[postgres] created database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const store = await Store.open(url.toString());
    try {
      return await runOn(store, plan, options, 'postgres');
    } finally {
      await store.close();
    }
  } finally {
    if (options.keep) log(`[postgres] kept database ${name}`);
    else {
      await admin
        .query(`drop database if exists ${name} with (force)`)
        .then(() => log(`[postgres] dropped database ${name}`))
        .catch((e: unknown) => log(`[postgres] could not drop ${name}: ${String(e)}`));
    }
    await admin.end();
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const t0 = performance.now();
  const plan = makePlan(options);
  log(`generated data set in ${((performance.now() - t0) / 1000).toFixed(1)}s (seed ${options.seed})`);

  const output: Record<string, unknown> = { bench: 'store', contacts: options.contacts, messages: options.messages, samples: options.samples };
  const pass: Record<string, boolean | null> = {};

  if (options.dbs.has('sqlite')) {
    const result = await benchSqlite(plan, options);
    summarize('sqlite', result);
    output.sqlite = result;
    pass.sqlite = passes(result);
  }

  const pgUrl = process.env.LIFELINE_TEST_DATABASE_URL;
  if (options.dbs.has('postgres')) {
    if (!pgUrl) {
      log('notice: LIFELINE_TEST_DATABASE_URL is not set, so PostgreSQL is skipped (set it to an admin URL such as postgres://postgres@127.0.0.1:5432/postgres)');
      output.postgres = null;
      output.postgresSkipped = 'LIFELINE_TEST_DATABASE_URL is not set';
      pass.postgres = null;
    } else {
      const result = await benchPostgres(plan, options, pgUrl);
      summarize('postgres', result);
      output.postgres = result;
      pass.postgres = passes(result);
    }
  }

  output.targets = TARGETS;
  output.pass = pass;
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

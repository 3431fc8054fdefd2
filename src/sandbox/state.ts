// In-memory state of the provider sandbox: the simulated providers' "consoles" (accounts, webhook URLs,
// secrets), the log of every message a simulated provider accepted, and provider-style message ids.
// Everything is O(1) per send so a benchmark can push 100k messages through it.
import { randomBytes } from 'node:crypto';

export const sandboxChannels = [
  'whatsapp',
  'messenger',
  'instagram',
  'telegram',
  'viber',
  'twilio-sms',
  'email',
] as const;
export type SandboxChannel = (typeof sandboxChannels)[number];

const channelSet: ReadonlySet<string> = new Set(sandboxChannels);
export const isSandboxChannel = (value: string): value is SandboxChannel => channelSet.has(value);

export interface SmtpTarget {
  host: string;
  port: number;
}

/** What a business configured in the provider's console (or told the provider through its API). */
export interface Account {
  channel: SandboxChannel;
  /** phoneNumberId | pageId | IG id | bot token | viber auth token | twilio AccountSid | email address */
  account: string;
  webhookUrl?: string;
  /** app secret | twilio auth token | telegram secret_token | viber auth token */
  secret?: string;
  /** display phone number | from number | bot username | page name */
  businessHandle?: string;
  /** Meta access token; when set, Graph calls must present it (and `/me` resolves to this account). */
  accessToken?: string;
  /** WhatsApp Business Account id used as `entry[].id` in webhooks. */
  businessAccountId?: string;
  /** Where the simulated customer's mail is delivered (Lifeline's inbound SMTP). */
  smtp?: SmtpTarget;
  registeredAt: string;
}

export type AccountInput = Omit<Account, 'channel' | 'registeredAt'>;

/** A public view of an account: secrets are not echoed back. */
export const describeAccount = (a: Account) => ({
  channel: a.channel,
  account: a.account,
  webhookUrl: a.webhookUrl ?? null,
  hasSecret: a.secret !== undefined,
  hasAccessToken: a.accessToken !== undefined,
  businessHandle: a.businessHandle ?? null,
  smtp: a.smtp ?? null,
  registeredAt: a.registeredAt,
});

export class AccountBook {
  private readonly byChannel = new Map<SandboxChannel, Map<string, Account>>();
  private readonly latest = new Map<SandboxChannel, Account>();

  /** Creates or updates an account; the one touched last becomes the channel's default. */
  register(channel: SandboxChannel, input: AccountInput): Account {
    const accounts = this.accountsOf(channel);
    const previous = accounts.get(input.account);
    const merged: Account = {
      ...previous,
      ...definedOnly(input),
      account: input.account,
      channel,
      registeredAt: new Date().toISOString(),
    };
    accounts.set(merged.account, merged);
    this.latest.set(channel, merged);
    return merged;
  }

  /** Registers an account the provider learned implicitly (first API call), without changing an existing one. */
  learn(channel: SandboxChannel, input: AccountInput): Account {
    return this.get(channel, input.account) ?? this.register(channel, input);
  }

  /** Forgets the webhook URL, as Telegram's deleteWebhook or Viber's empty set_webhook do. */
  clearWebhook(channel: SandboxChannel, account: string): void {
    const found = this.get(channel, account);
    if (found) found.webhookUrl = undefined;
  }

  get(channel: SandboxChannel, account: string): Account | undefined {
    return this.byChannel.get(channel)?.get(account);
  }

  /** The named account, or the most recently registered one of the channel. */
  resolve(channel: SandboxChannel, account?: string): Account | undefined {
    return account === undefined ? this.latest.get(channel) : this.get(channel, account);
  }

  find(channel: SandboxChannel, predicate: (a: Account) => boolean): Account | undefined {
    for (const a of this.byChannel.get(channel)?.values() ?? []) if (predicate(a)) return a;
    return undefined;
  }

  list(): Account[] {
    return [...this.byChannel.values()].flatMap((m) => [...m.values()]);
  }

  clear(): void {
    this.byChannel.clear();
    this.latest.clear();
  }

  private accountsOf(channel: SandboxChannel): Map<string, Account> {
    let accounts = this.byChannel.get(channel);
    if (!accounts) {
      accounts = new Map();
      this.byChannel.set(channel, accounts);
    }
    return accounts;
  }
}

// Spreading `{ secret: undefined }` would erase a value learned earlier; keep only the fields given.
function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface SentItem {
  channel: SandboxChannel;
  to: string;
  text: string;
  providerMessageId: string;
  at: string;
  account: string;
  /** Email only: used to thread the simulated customer's reply. */
  subject?: string;
  references?: string;
}

/** Every message the simulated providers accepted, indexed so no request scans it. */
export class SentLog {
  private items: SentItem[] = [];
  private readonly byChannel = new Map<SandboxChannel, SentItem[]>();
  private readonly byId = new Map<string, SentItem>();
  private readonly lastTo = new Map<string, SentItem>();

  record(item: SentItem): void {
    this.items.push(item);
    let list = this.byChannel.get(item.channel);
    if (!list) {
      list = [];
      this.byChannel.set(item.channel, list);
    }
    list.push(item);
    if (!this.byId.has(item.providerMessageId)) this.byId.set(item.providerMessageId, item);
    this.lastTo.set(conversationKey(item.channel, item.to), item);
  }

  list(filter: { channel?: SandboxChannel; to?: string } = {}): readonly SentItem[] {
    const base = filter.channel ? (this.byChannel.get(filter.channel) ?? []) : this.items;
    return filter.to === undefined ? base : base.filter((i) => i.to === filter.to);
  }

  get(providerMessageId: string): SentItem | undefined {
    return this.byId.get(providerMessageId);
  }

  /** The last message the business sent to this customer on this channel (for reply threading). */
  lastSentTo(channel: SandboxChannel, to: string): SentItem | undefined {
    return this.lastTo.get(conversationKey(channel, to));
  }

  get size(): number {
    return this.items.length;
  }

  clear(): void {
    this.items = [];
    this.byChannel.clear();
    this.byId.clear();
    this.lastTo.clear();
  }
}

const conversationKey = (channel: SandboxChannel, to: string) => `${channel}\u0000${to.toLowerCase()}`;

/**
 * Provider-shaped ids. A random tag per sandbox start keeps ids unique across restarts, because Lifeline
 * dedupes by provider id and a restarted sandbox must not reuse one.
 */
export class IdFactory {
  private counter = 0;
  private readonly tag = randomBytes(8).toString('hex');
  // Viber tokens are 64-bit integers above 2^53: JSON.parse would round them, which adapters must survive.
  private readonly viberBase = (1n << 62n) + BigInt(`0x${randomBytes(5).toString('hex')}`) * 1_000_000n;

  private next(): number {
    this.counter += 1;
    return this.counter;
  }

  whatsapp(): string {
    return `wamid.HBgL${Buffer.from(`${this.tag}:${this.next()}`).toString('base64url')}`;
  }

  meta(): string {
    return `m_${Buffer.from(`${this.tag}:${this.next()}`).toString('base64url')}`;
  }

  twilio(prefix: 'SM' | 'MM' = 'SM'): string {
    return `${prefix}${this.tag}${this.next().toString(16).padStart(16, '0')}`;
  }

  viber(): bigint {
    return this.viberBase + BigInt(this.next());
  }

  emailMessageId(domain: string): string {
    return `<${this.tag}.${this.next()}@${domain}>`;
  }

  sequence(): number {
    return this.next();
  }
}

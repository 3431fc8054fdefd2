// The store on SQLite and PostgreSQL: the same behaviour from the same migrations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifelineError } from '../src/errors.js';
import type { Store, WorkspaceData } from '../src/store/store.js';
import { DATABASES, openTestStore } from './support/databases.js';

describe.each(DATABASES)('store on $kind', ({ kind, skip }) => {
  let store: Store;
  let close: () => Promise<void>;
  let shop: WorkspaceData;
  let other: WorkspaceData;

  beforeAll(async () => {
    if (skip) return;
    ({ store, close } = await openTestStore(kind));
    const a = await store.workspaces.createWithOwner({ workspaceName: 'Shop', email: `a-${kind}@example.com`, password: 'password1', defaultRegion: 'PE' });
    const b = await store.workspaces.createWithOwner({ workspaceName: 'Other', email: `b-${kind}@example.com`, password: 'password1' });
    shop = store.forWorkspace(a.workspace.id, 'PE');
    other = store.forWorkspace(b.workspace.id, null);
  });
  afterAll(async () => {
    if (!skip) await close();
  });

  it.skipIf(skip)('creates contacts with normalised identities and finds them by any of them', async () => {
    const ana = await shop.contacts.create({ name: 'Ana Pérez', phones: ['987 654 321'], emails: ['ANA@Example.com'], tags: ['VIP'] }, 'test');
    expect(ana.identities.map((i) => [i.kind, i.value])).toEqual([
      ['phone', '+51987654321'],
      ['email', 'ana@example.com'],
    ]);
    expect(ana.tags).toEqual(['vip']);
    for (const query of ['pérez', 'ANA', '987654', '+51 987', 'example.com']) {
      const found = await shop.contacts.list({ query });
      expect(found.items.map((c) => c.id), query).toContain(ana.id);
    }
    expect((await shop.contacts.list({ tag: 'vip' })).items.map((c) => c.id)).toEqual([ana.id]);
    expect((await shop.contacts.list({ query: '100%' })).items).toEqual([]);
    expect(await shop.contacts.findByIdentity('whatsapp', '51987654321')).toMatchObject({ id: ana.id });
  });

  it.skipIf(skip)('keeps search in step with renames, new identities and deletions', async () => {
    const contact = await shop.contacts.create({ name: 'Gonzalo Huamán' }, 'test');
    expect((await shop.contacts.list({ query: 'huamán' })).items.map((c) => c.id)).toEqual([contact.id]);
    await shop.contacts.update(contact.id, { name: 'Gonzalo Quiroz' }, 'test');
    expect((await shop.contacts.list({ query: 'huamán' })).items).toEqual([]);
    expect((await shop.contacts.list({ query: 'quiroz' })).items.map((c) => c.id)).toEqual([contact.id]);
    await shop.contacts.addIdentity(contact.id, { kind: 'email', value: 'gq@tienda.example' }, 'test');
    expect((await shop.contacts.list({ query: 'tienda.exam' })).items.map((c) => c.id)).toEqual([contact.id]);
    await shop.contacts.delete(contact.id, 'test');
    expect((await shop.contacts.list({ query: 'quiroz' })).items).toEqual([]);
  });

  it.skipIf(skip)('keeps an identity unique within a workspace but not across workspaces', async () => {
    await shop.contacts.create({ name: 'Luis', phones: ['+51 912 345 678'] }, 'test');
    await expect(shop.contacts.create({ name: 'Luis again', phones: ['912345678'] }, 'test')).rejects.toMatchObject({ code: 'identity_taken', status: 409 });
    const elsewhere = await other.contacts.create({ name: 'Luis', phones: ['+51912345678'] }, 'test');
    expect(elsewhere.identities[0]!.value).toBe('+51912345678');
  });

  it.skipIf(skip)('writes nothing when one identity is invalid', async () => {
    const before = (await shop.contacts.list({ query: 'Nobody' })).items.length;
    await expect(shop.contacts.create({ name: 'Nobody', phones: ['+51 911 111 111', 'abc'] }, 'test')).rejects.toBeInstanceOf(LifelineError);
    expect((await shop.contacts.list({ query: 'Nobody' })).items).toHaveLength(before);
  });

  it.skipIf(skip)('pages through contacts newest first without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await shop.contacts.create({ name: `Pager ${i}` }, 'test')).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await shop.contacts.list({ query: 'pager', limit: 3, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it.skipIf(skip)('builds one timeline per contact across channels, newest first', async () => {
    const contact = await shop.contacts.create({ name: 'Timeline', phones: ['+51 955 555 555'] }, 'test');
    const base = Date.now();
    await shop.messages.append({ contactId: contact.id, direction: 'inbound', channel: 'whatsapp', body: 'hola', createdAt: base });
    await shop.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'twilio-sms', body: 'hi by sms', createdAt: base + 10 });
    await shop.messages.append({ contactId: contact.id, direction: 'note', body: 'called her', createdAt: base + 20 });
    const first = await shop.messages.timeline(contact.id, { limit: 2 });
    expect(first.items.map((m) => m.body)).toEqual(['called her', 'hi by sms']);
    const second = await shop.messages.timeline(contact.id, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((m) => [m.body, m.channel])).toEqual([['hola', 'whatsapp']]);
    expect(second.nextCursor).toBeNull();
    const conversations = await shop.conversations.list({ contactId: contact.id });
    expect(conversations.items).toHaveLength(1);
    expect(conversations.items[0]).toMatchObject({ status: 'open', channel: 'twilio-sms', lastActivityAt: base + 20 });
  });

  it.skipIf(skip)('filters conversations by status, assignee and channel', async () => {
    const users = await shop.users.list();
    const agent = await shop.users.create({ email: `agent-${kind}@example.com`, password: 'password1', role: 'agent' }, 'test');
    const c1 = await shop.contacts.create({ name: 'Filter one' }, 'test');
    const c2 = await shop.contacts.create({ name: 'Filter two' }, 'test');
    await shop.messages.append({ contactId: c1.id, direction: 'inbound', channel: 'telegram', body: 'a' });
    await shop.messages.append({ contactId: c2.id, direction: 'inbound', channel: 'viber', body: 'b' });
    const [conv1] = (await shop.conversations.list({ contactId: c1.id })).items;
    await shop.conversations.update(conv1!.id, { status: 'pending', assigneeId: agent.id }, 'test');
    expect((await shop.conversations.list({ status: 'pending' })).items.map((c) => c.id)).toEqual([conv1!.id]);
    expect((await shop.conversations.list({ assignee: agent.id })).items.map((c) => c.id)).toEqual([conv1!.id]);
    expect((await shop.conversations.list({ channel: 'viber' })).items.map((c) => c.contactId)).toEqual([c2.id]);
    expect((await shop.conversations.list({ assignee: 'none' })).items.map((c) => c.id)).not.toContain(conv1!.id);
    await expect(shop.conversations.update(conv1!.id, { assigneeId: 'nobody' }, 'test')).rejects.toMatchObject({ code: 'invalid_assignee' });
    expect(users.length).toBeGreaterThan(0);
  });

  it.skipIf(skip)('merges two contacts: identities, tags, conversations and messages move, and it is audited', async () => {
    const keep = await shop.contacts.create({ name: 'Rosa', phones: ['+51 966 666 666'], tags: ['shop'] }, 'test');
    const dup = await shop.contacts.create({ name: 'Rosa M.', emails: ['rosa@example.com'], identities: [{ kind: 'whatsapp', value: '+51966666666' }], tags: ['wholesale'] }, 'test');
    await shop.messages.append({ contactId: dup.id, direction: 'inbound', channel: 'whatsapp', body: 'from dup' });
    await shop.messages.append({ contactId: keep.id, direction: 'inbound', channel: 'twilio-sms', body: 'from keep' });
    const suggestions = await shop.contacts.mergeSuggestions(keep.id);
    expect(suggestions.map((s) => [...s.contactIds].sort())).toContainEqual([keep.id, dup.id].sort());

    const merged = await shop.contacts.merge(keep.id, dup.id, 'user:test');
    expect(merged.name).toBe('Rosa');
    expect(merged.identities.map((i) => i.kind).sort()).toEqual(['email', 'phone', 'whatsapp']);
    expect(merged.tags).toEqual(['shop', 'wholesale']);
    expect(await shop.contacts.get(dup.id)).toBeNull();
    expect((await shop.messages.timeline(keep.id, {})).items.map((m) => m.body).sort()).toEqual(['from dup', 'from keep']);
    expect((await shop.conversations.list({ contactId: dup.id })).items).toEqual([]);
    const audit = await shop.audit.list();
    expect(audit.find((e) => e.action === 'contact.merged')).toMatchObject({ actor: 'user:test', targetId: keep.id, details: { mergedContactId: dup.id } });
    expect(await shop.contacts.mergeSuggestions(keep.id)).toEqual([]);
  });

  it.skipIf(skip)('never reaches across workspaces', async () => {
    const theirs = await other.contacts.create({ name: 'Secret customer', phones: ['+51 977 777 777'] }, 'test');
    await other.messages.append({ contactId: theirs.id, direction: 'inbound', channel: 'whatsapp', body: 'private' });
    expect(await shop.contacts.get(theirs.id)).toBeNull();
    expect((await shop.contacts.list({ query: 'secret' })).items).toEqual([]);
    expect((await shop.messages.timeline(theirs.id, {})).items).toEqual([]);
    await expect(shop.contacts.merge((await shop.contacts.list({})).items[0]!.id, theirs.id, 'test')).rejects.toMatchObject({ status: 404 });
    await expect(shop.contacts.delete(theirs.id, 'test')).rejects.toMatchObject({ status: 404 });
    expect(await other.contacts.get(theirs.id)).not.toBeNull();
  });

  it.skipIf(skip)('issues API keys that are found by their hash only, and revokes them', async () => {
    const { apiKey, key } = await shop.apiKeys.create({ name: 'shop', role: 'admin', createdBy: null }, 'test');
    const found = await store.sessions.findApiKey(key);
    expect(found).toMatchObject({ workspaceId: shop.workspaceId, apiKey: { id: apiKey.id } });
    const row = await store.db.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(key);
    await shop.apiKeys.revoke(apiKey.id, 'test');
    expect(await store.sessions.findApiKey(key)).toBeNull();
  });
});

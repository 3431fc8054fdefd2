// The inbox in a real browser (Debian's chromium driven by playwright-core) against a real Lifeline and the provider
// sandbox: sign in, a Telegram message appearing live, a reply, the WhatsApp-down banner and an Auto reply that fails
// over to SMS with its explanation, a merge, HTML in a message staying text, search, assignment, notes, a WhatsApp
// template, links and attachments, sign-out, long previews and staff notes in the list, and the phone-width layout.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browserUnavailable, launchBrowser, type Page, requireBuiltWebApp, screenshot } from '../support/browser.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

if (browserUnavailable) console.warn(`NOTICE: browser tests of the inbox are SKIPPED: ${browserUnavailable}.`);

const BOT_TOKEN = '424242:inbox-browser-token';
const TG_SECRET = 'inbox-browser-secret';
const WA_ID = '700800900';
const WA_TOKEN = 'inbox-wa-token';
const WA_SECRET = 'inbox-wa-secret';
const TWILIO_SID = 'AC99990000111122223333444455556666';
const TWILIO_TOKEN = 'inbox-twilio-token';
const TWILIO_FROM = '+15550009999';
const EMAIL = 'maria@tienda.example';
const PASSWORD = 'a long inbox password';

interface Contact {
  id: string;
  name: string | null;
}

describe.skipIf(browserUnavailable !== null)('the inbox in chromium', { timeout: 90_000 }, () => {
  let s: LiveServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const telegramCustomerWrites = async (from: string, text: string, name: string) => {
    const res = await s.sandboxApi('POST', '/_sandbox/customers/messages', { channel: 'telegram', account: BOT_TOKEN, from, text, name });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const whatsappCustomerWrites = async (from: string, text: string) => {
    const res = await s.sandboxApi('POST', '/_sandbox/customers/messages', { channel: 'whatsapp', account: WA_ID, from, text });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const newContact = async (body: Record<string, unknown>) => {
    const res = await s.api<Contact>('POST', '/api/v1/contacts', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const signIn = async (target: Page) => {
    await target.goto(`${s.url}/`);
    await target.getByLabel('Email').fill(EMAIL);
    await target.getByLabel('Password').fill(PASSWORD);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.getByRole('link', { name: 'Inbox' }).waitFor();
  };
  /** Opens the conversation whose row shows `rowText` (the customer's name or last message) and waits for `text`. */
  const openConversation = async (target: Page, text: string, rowText = text) => {
    await target.locator('.conversations a', { hasText: rowText }).first().click();
    await target.locator('.timeline .message', { hasText: text }).first().waitFor();
  };
  const waitForRow = async (target: Page, text: string) => {
    const row = target.locator('.conversations a', { hasText: text });
    await row.first().waitFor({ timeout: 20_000 }).catch(async (error) => {
      const api = await s.api<{ items: { lastMessage: { body: string } | null }[] }>('GET', '/api/v1/conversations?limit=5');
      throw new Error(`${String(error)}\nthe API lists: ${JSON.stringify(api.body.items.map((i) => i.lastMessage?.body))}`);
    });
    return row;
  };
  const bubble = (target: Page, text: string) => target.locator('.timeline .message', { hasText: text }).last();

  beforeAll(async () => {
    requireBuiltWebApp();
    s = await startLiveServer({
      receiptDelayMs: 50,
      dispatcher: { backoff: { baseMs: 20, maxMs: 80 }, retryBudget: 1, circuit: { consecutiveFailures: 3, cooldownMs: 120_000 }, pollMs: 20, cacheTtlMs: 0 },
    });
    const user = await s.api('POST', '/api/v1/users', { email: EMAIL, password: PASSWORD, name: 'María', role: 'admin' });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    await s.createChannel('telegram', { botToken: BOT_TOKEN, webhookSecret: TG_SECRET, apiBaseUrl: s.sandbox.url }, 'Telegram bot');
    const wa = await s.createChannel('whatsapp', { phoneNumberId: WA_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'v', apiBaseUrl: s.sandbox.url }, 'WhatsApp');
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: WA_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
    const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url }, 'SMS');
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
    const settings = await s.api('PATCH', '/api/v1/workspace', { settings: { rateLimits: { whatsapp: null, 'twilio-sms': null, telegram: null } } });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('signs in with a password', async () => {
    await page.goto(`${s.url}/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/wrong email or password/i);
    await signIn(page);
    await expect(page.locator('.brand').textContent()).resolves.toContain('Test shop');
    await screenshot(page, 'inbox-empty');
  });

  it('shows a Telegram message the moment it arrives, and delivers the reply', async () => {
    const text = `Hola, ¿tienen pan integral? ${randomBytes(2).toString('hex')}`;
    await telegramCustomerWrites('555000111', text, 'Rosa Mamani');
    // No reload: the live WebSocket brings it into the list.
    const row = await waitForRow(page, text);
    await expect(row.locator('.unread').textContent()).resolves.toBe('1');
    await openConversation(page, text);
    await expect(page.locator('.conversation h2').textContent()).resolves.toBe('Rosa Mamani');

    // Quiet hours now (an hour either side, on the shop's clock) hold notifications, not a reply she is waiting for.
    const { timezone } = (await s.api<{ timezone: string }>('GET', '/api/v1/workspace')).body;
    const clock = (offsetMin: number) => new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now() + offsetMin * 60_000);
    expect((await s.api('PATCH', '/api/v1/workspace', { settings: { quietHours: { start: clock(-60), end: clock(60) } } })).status).toBe(200);
    const reply = `Sí, Rosa: sale a las 6 ${randomBytes(2).toString('hex')}`;
    try {
      await page.getByPlaceholder(/Write a reply/).fill(reply);
      await page.getByPlaceholder(/Write a reply/).press('Control+Enter');
      // Telegram has no delivery receipts: "sent" (accepted by Telegram) is as far as it goes.
      await bubble(page, reply).locator('.badge.state-sent').waitFor({ timeout: 10_000 });
    } finally {
      expect((await s.api('PATCH', '/api/v1/workspace', { settings: { quietHours: null } })).status).toBe(200);
    }
    const sent = await s.sandboxApi<{ items: { channel: string; text: string }[] }>('GET', '/_sandbox/sent?channel=telegram');
    expect(sent.body.items.filter((i) => i.text === reply)).toHaveLength(1);
    // Opened and answered: nothing unread any more.
    await expect(page.locator('.conversations a', { hasText: reply }).locator('.unread').count()).resolves.toBe(0);
    await screenshot(page, 'inbox-conversation');
  });

  it('shows the WhatsApp-down banner and fails an Auto reply over to SMS, saying why', async () => {
    const phone = '+51987654321';
    const marta = await newContact({ name: 'Marta Quispe', phones: [phone] });
    const text = `¿Mi pedido llega hoy? ${randomBytes(2).toString('hex')}`;
    await whatsappCustomerWrites(phone, text);
    await waitForRow(page, text);

    await s.fault('whatsapp', { mode: 'down' });
    // Sends that fail open WhatsApp's circuit; the health strip turns red and the banner says what happens now.
    for (let i = 0; i < 3; i++) {
      const res = await s.api('POST', '/api/v1/messages', { contactId: marta.id, text: `aviso ${i}`, route: { channels: ['whatsapp'] } });
      expect(res.status).toBe(202);
    }
    const banner = page.getByTestId('channel-down-banner');
    await banner.waitFor({ timeout: 20_000 });
    await expect(banner.textContent()).resolves.toMatch(/^WhatsApp is down\./);
    await expect(page.locator('.health-chip[data-channel="whatsapp"]').getAttribute('data-health')).resolves.toBe('down');

    // The row now previews the last notice sent; the customer's name still names it.
    await openConversation(page, text, 'Marta Quispe');
    await expect(page.getByTestId('reachability').textContent()).resolves.toMatch(/Auto goes by SMS now/);
    const reply = `Sí, llega entre 4 y 6 pm ${randomBytes(2).toString('hex')}`;
    await page.getByPlaceholder(/Write a reply/).fill(reply);
    await page.getByRole('button', { name: 'Send' }).click();
    const message = bubble(page, reply);
    await message.locator('.badge.state-delivered, .badge.state-read').waitFor({ timeout: 15_000 });
    await expect(message.locator('.badge').first().textContent()).resolves.toBe('SMS');
    await expect(message.locator('.path').textContent()).resolves.toMatch(/^WhatsApp down → sent by SMS → delivered/);
    await expect(message.locator('.explanation').textContent()).resolves.toMatch(/WhatsApp/);
    const sms = await s.sandboxApi<{ items: { text: string }[] }>('GET', '/_sandbox/sent?channel=twilio-sms');
    expect(sms.body.items.filter((i) => i.text === reply)).toHaveLength(1);
    await screenshot(page, 'inbox-failover');
    await s.fault('whatsapp', { mode: 'ok' });
  });

  it('merges two records of one customer from the customer panel', async () => {
    const ana = await newContact({ name: 'Ana Pérez', phones: ['+51911111111'], identities: [{ kind: 'telegram', value: '555000444' }] });
    const duplicate = await newContact({ name: 'Ana P.', identities: [{ kind: 'whatsapp', value: '+51911111111' }] });
    const text = `¿Hacen delivery a Miraflores? ${randomBytes(2).toString('hex')}`;
    await telegramCustomerWrites('555000444', text, 'Ana Pérez');
    await waitForRow(page, text);
    await openConversation(page, text);

    const row = page.getByRole('listitem', { name: 'Ana P.' });
    await row.getByRole('button', { name: 'Merge into this customer' }).click();
    await row.getByRole('button', { name: 'Yes, merge' }).click();
    await page.getByText('No other customer shares a phone number or email with this one.').waitFor({ timeout: 10_000 });
    await screenshot(page, 'inbox-customer-merged');

    expect((await s.api('GET', `/api/v1/contacts/${duplicate.id}`)).status).toBe(404);
    const survivor = await s.api<{ identities: { kind: string; value: string }[] }>('GET', `/api/v1/contacts/${ana.id}`);
    expect(survivor.body.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['phone:+51911111111', 'telegram:555000444', 'whatsapp:+51911111111']);

    // A third record shares nothing yet: typing its email here is refused, with the merge offered on the spot.
    const third = await newContact({ name: 'Ana (tienda online)', emails: ['ana.perez@example.pe'] });
    const add = page.getByRole('form', { name: 'Add a handle' });
    await add.getByLabel('Kind').selectOption('email');
    await add.getByLabel('Handle').fill('ana.perez@example.pe');
    await add.getByRole('button', { name: 'Add handle' }).click();
    await add.getByText(/already belongs to Ana \(tienda online\)/).waitFor();
    await add.getByRole('button', { name: 'Merge Ana (tienda online) into this customer' }).click();
    await add.getByRole('button', { name: 'Yes, merge' }).click();
    await add.getByText(/already belongs to/).waitFor({ state: 'detached' });
    expect((await s.api('GET', `/api/v1/contacts/${third.id}`)).status).toBe(404);
    const merged = await s.api<{ identities: { kind: string; value: string }[] }>('GET', `/api/v1/contacts/${ana.id}`);
    expect(merged.body.identities.map((i) => i.value)).toContain('ana.perez@example.pe');

    // A web chat visitor left Ana's phone (it stays with Ana): the pair is offered for merging, saying why.
    const visitor = await s.data.contacts.create({ name: null, identities: [{ kind: 'webchat', value: 'visitor-4k2m9q' }] }, 'test');
    await s.data.contacts.linkLeftHandle(visitor.id, ana.id, { kind: 'phone', value: '+51911111111' });
    await page.reload();
    await openConversation(page, text);
    const suggestion = page.locator(`[data-testid="merge-suggestion"][data-contact-id="${visitor.id}"]`);
    await suggestion.getByText(/^Website visitor \w+ left \+51911111111 in the web chat, which this customer has\.$/).waitFor();
    await suggestion.getByRole('button', { name: 'Merge into this customer' }).click();
    await suggestion.getByRole('button', { name: 'Yes, merge' }).click();
    await suggestion.waitFor({ state: 'detached' });
    expect((await s.api('GET', `/api/v1/contacts/${visitor.id}`)).status).toBe(404);
  });

  it('erases a customer who asks to be forgotten, after asking, and leaves the conversation list without them', async () => {
    const gone = await newContact({ name: 'Olvido Rojas', identities: [{ kind: 'telegram', value: '555000777' }] });
    const text = `Borren mis datos por favor ${randomBytes(2).toString('hex')}`;
    await telegramCustomerWrites('555000777', text, 'Olvido Rojas');
    await waitForRow(page, text);
    await openConversation(page, text);
    await page.getByRole('button', { name: 'Erase Olvido Rojas' }).click();
    await page.getByText(/^Erase Olvido Rojas and everything Lifeline holds about them/).waitFor();
    await page.getByRole('button', { name: 'Yes, erase' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.locator('.conversations a', { hasText: text }).count(), { timeout: 10_000 }).toBe(0);
    expect((await s.api('GET', `/api/v1/contacts/${gone.id}`)).status).toBe(404);
    expect((await s.findContacts('Olvido')).length).toBe(0);
  });

  it('shows HTML in a message as text and runs nothing', async () => {
    const attack = `<img src=x onerror=alert(1)> <script>alert(2)</script> ${randomBytes(2).toString('hex')}`;
    await telegramCustomerWrites('555000222', attack, 'Eve');
    await waitForRow(page, attack);
    await openConversation(page, attack);
    await expect(bubble(page, attack).locator('.body').textContent()).resolves.toBe(attack);
    expect(await page.locator('.timeline img, .timeline script, .conversations img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('searches, assigns and filters by assignee, keeps a staff note, answers by WhatsApp template, shows safe links and attachments, and signs out', async () => {
    // WhatsApp is back from the earlier outage: close its circuit rather than wait out the cool-down.
    await s.store.db.deleteFrom('circuit_states').execute();
    s.app.dispatcher.forget();
    const tag = randomBytes(2).toString('hex');
    const zoe = await newContact({ name: `Zoe Quintana ${tag}`, phones: ['+51955500001'], identities: [{ kind: 'telegram', value: '555000666' }] });
    const text = `Mi pedido: https://shop.example/o/77 gracias ${tag}`;
    await telegramCustomerWrites('555000666', text, 'Zoe');
    await waitForRow(page, text);

    // Search narrows the list to her.
    await page.getByPlaceholder('Search customers').fill(`Quintana ${tag}`);
    await expect.poll(() => page.locator('.conversations li a').count()).toBe(1);
    await openConversation(page, text);
    // A link in a customer's message opens elsewhere, without handing over this page.
    const link = bubble(page, text).locator('a');
    await expect(link.getAttribute('href')).resolves.toBe('https://shop.example/o/77');
    await expect(link.getAttribute('rel')).resolves.toMatch(/noopener/);

    // Assigned to me: listed under "Me", not under "Unassigned".
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Unassign' }).waitFor();
    const rows = page.locator('.conversations li a');
    await page.getByRole('combobox', { name: 'Assigned to' }).selectOption('me');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByRole('combobox', { name: 'Assigned to' }).selectOption('none');
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByRole('combobox', { name: 'Assigned to' }).selectOption('');
    await page.getByPlaceholder('Search customers').fill('');

    // A note stays with the staff: on the timeline, marked, and sent nowhere.
    const note = `Pagó por Yape, revisar mañana ${tag}`;
    await page.getByRole('radio', { name: 'Note for staff' }).check();
    await page.getByPlaceholder(/internal note/).fill(note);
    await page.getByRole('button', { name: 'Save note' }).click();
    await expect(bubble(page, note).locator('.note-label').textContent()).resolves.toBe('Internal note');

    // She never wrote on WhatsApp: the reply box asks for a template, and WhatsApp gets that template.
    await page.getByRole('radio', { name: 'Reply' }).check();
    await page.getByTestId('reachability').getByText('outside the 24-hour window: a template is needed').waitFor({ timeout: 10_000 });
    await page.getByRole('combobox', { name: 'Send via' }).selectOption('whatsapp');
    await page.getByLabel('Template name').fill('order_ready');
    await page.getByLabel('Template language').fill('es');
    const reply = `Tu pedido está listo ${tag}`;
    await page.getByPlaceholder(/Write a reply/).fill(reply);
    await page.getByRole('button', { name: 'Send' }).click();
    await bubble(page, reply).locator('.badge.state-delivered, .badge.state-read').waitFor({ timeout: 15_000 });
    const wa = await s.sandboxApi<{ items: { to: string; text: string }[] }>('GET', '/_sandbox/sent?channel=whatsapp');
    expect(wa.body.items.filter((i) => i.to.endsWith('51955500001'))).toEqual([expect.objectContaining({ text: '[template:order_ready]' })]);
    const anywhere = await s.sandboxApi<{ items: { text: string }[] }>('GET', '/_sandbox/sent');
    expect(anywhere.body.items.filter((i) => i.text.includes(note))).toEqual([]);

    // An attachment sent by the shop's systems shows as a safe link on the timeline.
    const invoice = `Factura ${tag}`;
    const sent = await s.api('POST', '/api/v1/messages', {
      contactId: zoe.id,
      text: invoice,
      attachments: [{ url: 'https://files.example/invoice-77.pdf', contentType: 'application/pdf', filename: 'invoice-77.pdf' }],
      route: { channels: ['telegram'] },
    });
    expect(sent.status).toBe(202);
    const attachment = bubble(page, invoice).locator('.attachments a');
    await attachment.waitFor({ timeout: 10_000 });
    // One Telegram message: the document with the text as its caption.
    await bubble(page, invoice).locator('.badge.state-sent').waitFor({ timeout: 10_000 });
    const tg = await s.sandboxApi<{ items: { text: string }[] }>('GET', '/_sandbox/sent?channel=telegram');
    expect(tg.body.items.filter((i) => i.text.includes(tag))).toEqual([expect.objectContaining({ text: invoice })]);
    await expect(attachment.textContent()).resolves.toBe('invoice-77.pdf');
    await expect(attachment.getAttribute('rel')).resolves.toMatch(/noopener/);
    await screenshot(page, 'inbox-note-template');

    // Signing out ends the session: a reload shows the sign-in form again. (The later tests sign in on tabs of
    // their own; a sign-in here would count against the login rate limit they share.)
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();
    await page.reload();
    await page.getByLabel('Password').waitFor();
    expect(await page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
  });

  it('says when live updates drop, retries, and catches up on what it missed', async () => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(tab);
      await expect.poll(() => s.app.websocketServer.clients.size).toBeGreaterThan(0);
      // The banner may come and go within a second (the first retry is that quick): record every text it shows.
      await tab.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { liveBanners: string[] }).liveBanners = seen;
        new MutationObserver(() => {
          const banner = document.querySelector('[data-testid="live-banner"]');
          if (banner?.textContent) seen.push(banner.textContent);
        }).observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      // The server drops every live connection (a restart, a proxy timeout); the customer writes in the gap, so the
      // event reaches nobody and only the catch-up after reconnecting can show it.
      for (const client of s.app.websocketServer.clients) client.terminate();
      const text = `Mientras no había conexión ${randomBytes(2).toString('hex')}`;
      await telegramCustomerWrites('555000555', text, 'Nadia');
      await expect
        .poll(() => tab.evaluate(() => (window as unknown as { liveBanners: string[] }).liveBanners.join('\n')))
        .toMatch(/interrupted/);
      await tab.getByTestId('live-banner').waitFor({ state: 'detached', timeout: 15_000 });
      await waitForRow(tab, text);
    } finally {
      await tab.close();
    }
  });

  it('loads older conversations as the list scrolls, keeps the time and unread count beside a long preview, marks staff notes, filters by channel, and switches to Spanish', async () => {
    // More conversations than one page (30): customers writing on Telegram.
    for (let i = 0; i < 35; i++) await telegramCustomerWrites(`5551${String(i).padStart(5, '0')}`, `Consulta número ${i}`, `Cliente ${i}`);
    // The newest two: a long message, and a conversation whose last word is a staff note.
    const tag = randomBytes(2).toString('hex');
    const long = `Quisiera cambiar la talla de mi pedido porque me quedó grande, ¿me pueden enviar una talla menos esta semana? ${tag}`;
    await telegramCustomerWrites('555000777', long, `Valentina ${tag}`);
    await telegramCustomerWrites('555000888', `Hola, ¿me llaman? ${tag}`, `Nora ${tag}`);
    const nora = await s.waitFor(async () => (await s.findContacts<Contact>(`Nora ${tag}`))[0], 'Nora to be stored');
    const noraConversation = await s.api<{ items: { id: string }[] }>('GET', `/api/v1/conversations?contactId=${nora.id}&limit=1`);
    const note = `NOTE: call her after 5pm ${tag}`;
    const saved = await s.api('POST', `/api/v1/contacts/${nora.id}/notes`, { text: note, conversationId: noraConversation.body.items[0]!.id });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    await s.waitFor(async () => {
      const open = await s.api<{ items: unknown[] }>('GET', '/api/v1/conversations?status=open&limit=200');
      return open.body.items.length >= 40;
    }, 'the conversations to be stored');
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(tab);
      const rows = tab.locator('.conversations li a');
      await expect.poll(() => rows.count()).toBe(30);

      // A long preview shrinks to an ellipsis; the time and the unread count stay whole inside the row.
      await waitForRow(tab, long);
      const item = tab.locator('.conversations li', { hasText: long }).first();
      const itemBox = (await item.boundingBox())!;
      const badgeBox = (await item.locator('.unread').boundingBox())!;
      const timeBox = (await item.locator('time').boundingBox())!;
      expect(badgeBox.x + badgeBox.width).toBeLessThanOrEqual(itemBox.x + itemBox.width);
      expect(timeBox.x + timeBox.width).toBeLessThanOrEqual(itemBox.x + itemBox.width);
      const preview = await item.locator('.preview').evaluate((el) => ({ cut: el.scrollWidth > el.clientWidth, overflow: getComputedStyle(el).textOverflow }));
      expect(preview).toEqual({ cut: true, overflow: 'ellipsis' });
      // A staff note as the last message says it is a note: staff must not take it for a reply to the customer.
      const noteRow = await waitForRow(tab, note);
      await expect(noteRow.first().locator('.preview').textContent()).resolves.toBe(`Note: ${note}`);
      await screenshot(tab, 'inbox-long-preview-and-note');

      await tab.locator('.conversations .sentinel').scrollIntoViewIfNeeded();
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(40);

      await tab.getByRole('combobox', { name: 'Channel' }).selectOption('whatsapp');
      await expect.poll(() => rows.count()).toBe(1);
      await expect(rows.first().textContent()).resolves.toContain('Marta Quispe');

      await tab.getByRole('combobox', { name: 'Language' }).selectOption('es');
      await tab.getByRole('link', { name: 'Bandeja' }).waitFor();
      await tab.getByPlaceholder('Buscar clientes').waitFor();
      await screenshot(tab, 'inbox-es');
      await tab.getByRole('combobox', { name: 'Canal' }).selectOption('');
      await expect.poll(() => noteRow.first().locator('.preview').textContent()).toBe(`Nota: ${note}`);
    } finally {
      await tab.close();
    }
  });

  it('works on a 375-px-wide phone screen', async () => {
    // As in QA's report: many channels, one of them down with its banner, a customer reachable on few of them.
    for (const [kind, config] of [
      ['viber', { authToken: 'inbox-phone-viber-token', senderName: 'Test shop', apiBaseUrl: s.sandbox.url }],
      ['webchat', { title: 'Test shop' }],
      ['voice', {}],
      ['email', { from: 'hola@tienda.example', smtp: { host: '127.0.0.1', port: s.sandbox.smtpPort, secure: false, ignoreTLS: true } }],
    ] as const) {
      await s.createChannel(kind, config);
    }
    const notified = await newContact({ name: 'Aviso Telefono', phones: ['+51944400002'] });
    await whatsappCustomerWrites('+51944400002', 'Hola');
    await s.waitFor(async () => (await s.timeline(notified.id)).length > 0, 'her WhatsApp message to be stored');
    await s.fault('whatsapp', { mode: 'down' });
    for (let i = 0; i < 3; i++) {
      const res = await s.api('POST', '/api/v1/messages', { contactId: notified.id, text: `aviso ${i}`, route: { channels: ['whatsapp'] } });
      expect(res.status).toBe(202);
    }
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
      await signIn(phone);
      await phone.getByTestId('channel-down-banner').waitFor({ timeout: 20_000 });
      // The health strip names only the channel in trouble; one chip stands for all the others.
      expect(await phone.locator('.health-chip[data-channel="whatsapp"]').isVisible()).toBe(true);
      expect(await phone.locator('.health-chip[data-channel="telegram"]').isVisible()).toBe(false);
      await expect(phone.getByTestId('health-summary').textContent()).resolves.toBe('All others up');
      const text = `Desde el celular ${randomBytes(2).toString('hex')}`;
      await telegramCustomerWrites('555000333', text, 'Lucho');
      const row = await waitForRow(phone, text);
      await screenshot(phone, 'phone-list');
      await row.click();
      await bubble(phone, text).waitFor();
      // One pane at a time, nothing wider than the screen.
      expect(await phone.locator('.list-pane').isVisible()).toBe(false);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      // The reply box folds its line per channel behind a toggle.
      const reach = phone.getByTestId('reachability');
      await reach.waitFor();
      expect(await reach.locator('ul').isVisible()).toBe(false);
      await screenshot(phone, 'phone-conversation-open');
      await reach.getByRole('button', { name: 'Show each channel' }).click();
      expect(await reach.locator('ul').isVisible()).toBe(true);
      await screenshot(phone, 'phone-reach-details');
      await reach.getByRole('button', { name: 'Hide the channels' }).click();
      await phone.getByPlaceholder(/Write a reply/).fill('Hola Lucho');
      await phone.getByRole('button', { name: 'Send' }).click();
      await bubble(phone, 'Hola Lucho').waitFor();
      // The messages keep a usable part of the screen: with the newest one scrolled into view (the page may scroll),
      // the message list shows at least 250 px of the 740 and the newest message is on screen.
      const newest = bubble(phone, 'Hola Lucho');
      await newest.scrollIntoViewIfNeeded();
      const onScreen = (box: { y: number; height: number } | null) => {
        const top = Math.max(box!.y, 0);
        const bottom = Math.min(box!.y + box!.height, 740);
        return Math.max(bottom - top, 0);
      };
      const list = await phone.locator('.timeline-scroll').boundingBox();
      expect(onScreen(list)).toBeGreaterThanOrEqual(250);
      const message = await newest.boundingBox();
      expect(onScreen(message)).toBe(message!.height);
      await screenshot(phone, 'phone-conversation');
      await phone.getByRole('button', { name: 'Customer' }).click();
      expect(await phone.locator('.customer-pane').isVisible()).toBe(true);
      await phone.getByRole('button', { name: /Back to the conversation/ }).click();
      await phone.getByRole('button', { name: /Conversations/ }).click();
      await phone.locator('.conversations a', { hasText: 'Lucho' }).first().waitFor();
      expect(await phone.locator('.conversation-pane').isVisible()).toBe(false);
    } finally {
      await phone.close();
      await s.fault('whatsapp', { mode: 'ok' });
    }
  });
});

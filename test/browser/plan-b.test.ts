// The plan-B screens in a real browser (Debian's chromium driven by playwright-core) against a real Lifeline and the
// provider sandbox: declaring an incident and following it to its call list and its close, editing the playbooks,
// a broadcast to a tag reaching everyone, pausing and resuming one slowed by a rate limit, and importing a messy CSV
// with its preview, row errors and summary; Import & export's downloads and retention; the phone-width layout.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browserUnavailable, launchBrowser, type Page, requireBuiltWebApp, screenshot } from '../support/browser.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

if (browserUnavailable) console.warn(`NOTICE: browser tests of the plan-B screens are SKIPPED: ${browserUnavailable}.`);

const WA_ID = '700800901';
const WA_TOKEN = 'planb-wa-token';
const WA_SECRET = 'planb-wa-secret';
const TWILIO_SID = `AC${'c3'.repeat(16)}`;
const TWILIO_TOKEN = 'planb-twilio-token';
const TWILIO_FROM = '+15550008888';
const PASSWORD = 'password1';

type BrowserContext = Awaited<ReturnType<Browser['newContext']>>;

interface Incident {
  id: string;
  kind: string;
  state: string;
  origin: string;
  note: string | null;
  channelId: string | null;
}
interface Progress {
  id: string;
  status: string;
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
}
interface ContactView {
  id: string;
  name: string | null;
  tags: string[];
  identities: { kind: string; value: string }[];
}

describe.skipIf(browserUnavailable !== null)('plan B in chromium', { timeout: 90_000 }, () => {
  let s: LiveServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let whatsappId: string;
  const pageErrors: string[] = [];
  let seq = 0;

  /** A customer with a unique Peruvian mobile number who prefers SMS. */
  const newContact = async (body: Record<string, unknown>) => {
    const phone = `+5198${String(Date.now() % 1_000_000).padStart(6, '0')}${++seq % 10}`;
    const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: `Customer ${seq}`, phones: [phone], preferredChannels: ['twilio-sms'], ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const tagged = async (count: number, tag: string) => {
    const first = await newContact({ tags: [tag] });
    return [first, ...(await Promise.all(Array.from({ length: count - 1 }, () => newContact({ tags: [tag] }))))];
  };
  const broadcast = async (id: string) => (await s.api<Progress>('GET', `/api/v1/broadcasts/${id}`)).body;
  const setSmsRate = async (rate: { ratePerSec: number; burst: number } | null) => {
    const res = await s.api('PATCH', '/api/v1/workspace', { settings: { rateLimits: { whatsapp: null, 'twilio-sms': rate } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  /** Waits for the number shown beside an outcome of the progress bar. */
  const outcome = (target: Page, name: 'delivered' | 'sent' | 'failed' | 'pending') => target.locator(`main .progress-legend li[data-outcome="${name}"] strong`).first();

  beforeAll(async () => {
    requireBuiltWebApp();
    s = await startLiveServer({
      receiptDelayMs: 50,
      dispatcher: { backoff: { baseMs: 20, maxMs: 80 }, retryBudget: 1, pollMs: 20, cacheTtlMs: 0, leaseMs: 5_000 },
      health: { monitor: false },
    });
    const wa = await s.createChannel('whatsapp', { phoneNumberId: WA_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'v', apiBaseUrl: s.sandbox.url }, 'WhatsApp');
    whatsappId = wa.id;
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: WA_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
    const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url }, 'SMS');
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
    await setSmsRate(null);

    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(message.text())) pageErrors.push(message.text());
    });
    const owner = (await s.data.users.list()).find((u) => u.role === 'owner')!;
    await page.goto(`${s.url}/plan-b`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Plan B', level: 1 }).waitFor();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('declares an incident, lists it, opens its call list and closes it', async () => {
    await page.goto(`${s.url}/plan-b`);
    await page.getByText('No open incidents: every channel is working.').waitFor();
    // Customers of WhatsApp are affected: one with a phone number is told by SMS, one known only on WhatsApp goes
    // on the call list.
    await newContact({ name: 'Rosa Mamani', preferredChannels: ['whatsapp'] });
    const pedro = await s.api('POST', '/api/v1/contacts', { name: 'Pedro Quispe', identities: [{ kind: 'whatsapp', value: '+51911222333' }], preferredChannels: ['whatsapp'] });
    expect(pedro.status, JSON.stringify(pedro.body)).toBe(201);

    const form = page.getByRole('form', { name: 'Declare an incident' });
    await form.getByLabel('Channel').selectOption(whatsappId);
    await form.getByLabel('What happened').selectOption('ban');
    await form.getByLabel(/In your words/).fill('Our WhatsApp number was banned <b>this morning</b>');
    await form.getByRole('button', { name: 'Declare the incident' }).click();
    await form.getByRole('status').filter({ hasText: 'Incident declared' }).waitFor();

    const open = page.getByRole('region', { name: 'Open incidents' });
    const card = open.getByRole('listitem', { name: 'WhatsApp was banned or restricted' });
    await card.waitFor();
    // The note is text, never markup.
    await card.getByText('Our WhatsApp number was banned <b>this morning</b>').waitFor();
    await card.getByText('Declared by hand').waitFor();
    await card.locator('.action[data-action="notify"]').waitFor();
    const listed = (await s.api<{ items: Incident[] }>('GET', '/api/v1/incidents?status=open')).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'ban', state: 'open', origin: 'manual', channelId: whatsappId, note: 'Our WhatsApp number was banned <b>this morning</b>' });
    const incidentId = listed[0]!.id;
    await screenshot(page, 'planb-open-incident');

    // A second declaration for the same channel is refused, with the server's reason.
    await form.getByRole('button', { name: 'Declare the incident' }).click();
    await form.getByRole('alert').filter({ hasText: 'already has an open incident' }).waitFor();

    await card.getByRole('link', { name: 'WhatsApp was banned or restricted' }).click();
    await page.getByRole('heading', { name: 'WhatsApp was banned or restricted', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/plan-b/incidents/${incidentId}`);
    await page.getByRole('region', { name: 'Timeline' }).getByText(/Declared by/).first().waitFor();
    const calls = page.getByRole('region', { name: 'Call list' });
    await calls.getByText('Customers reachable only by phone: 1.').waitFor();
    await calls.locator('.call-list li', { hasText: 'Pedro Quispe' }).getByRole('link', { name: '+51911222333' }).waitFor();

    // The printable call list opens in a new tab; the CSV downloads.
    const [printable] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Printable call list' }).click()]);
    await printable.getByRole('heading', { name: 'Call list' }).waitFor();
    expect(await printable.locator('th').allTextContents()).toEqual(['Name', 'Phone', 'What to say', 'Done']);
    expect(await printable.locator('tbody td:first-child').allTextContents()).toEqual(['Pedro Quispe']);
    await printable.close();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`call-list-${incidentId}.csv`);
    const csv = await page.request.get(`${s.url}/api/v1/incidents/${incidentId}/call-list?format=csv`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toBe('contact_id,name,phone,say');
    expect(lines[1]).toContain('Pedro Quispe,+51911222333,');
    await screenshot(page, 'planb-incident');

    // Closing asks first; Escape keeps it open, then "yes" closes it.
    await page.getByRole('button', { name: 'Close the incident' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Close the incident');
    expect((await s.api<Incident>('GET', `/api/v1/incidents/${incidentId}`)).body.state).toBe('open');
    await page.getByRole('button', { name: 'Close the incident' }).click();
    await page.getByRole('button', { name: 'Yes, close it' }).click();
    await page.locator('.card-title .badge', { hasText: 'Closed' }).waitFor();
    expect((await s.api<Incident>('GET', `/api/v1/incidents/${incidentId}`)).body.state).toBe('closed');

    // The timeline names staff as they know each other, never by an internal id.
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText(/^Closed by /).waitFor();
    expect(await timeline.textContent()).not.toMatch(/user:|apikey:/);

    await page.getByRole('link', { name: '← Plan B' }).click();
    await page.getByRole('region', { name: 'Closed incidents' }).getByRole('listitem', { name: 'WhatsApp was banned or restricted' }).waitFor();
    await page.getByText('No open incidents: every channel is working.').waitFor();
  });

  it('edits the playbooks and saves them, showing the server’s refusal of a bad phone', async () => {
    await page.goto(`${s.url}/plan-b/playbooks`);
    await page.getByRole('heading', { name: 'Playbooks', level: 1 }).waitFor();
    await page.getByLabel('Open an incident after (seconds)').fill('90');
    await page.getByLabel('Email', { exact: true }).fill('owner@shop.example');
    const every = page.getByRole('group', { name: 'Every channel' });
    await every.getByLabel('Auto-reply on the working channels (once per customer)').check();
    await every.getByLabel('Auto-reply text').fill('We answer here while {channel} is down.');
    await every.getByLabel('Build a call list of customers reachable only by phone').uncheck();

    await page.getByLabel('Own playbook for').selectOption('whatsapp');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const whatsapp = page.getByRole('group', { name: 'WhatsApp only' });
    await whatsapp.getByLabel('Banner text').fill('WhatsApp is down: write to us by SMS.');
    await whatsapp.getByLabel('Send “we’re back” when the channel works again').check();

    // A phone without its country code: the server says what is wrong, nothing is saved.
    await page.getByLabel('Phone (SMS), with country code').fill('987654');
    await page.getByRole('button', { name: 'Save the playbooks' }).click();
    await page.getByRole('alert').filter({ hasText: /E\.164|phone/i }).waitFor();
    expect((await s.api<{ openAfterSeconds: number }>('GET', '/api/v1/playbooks')).body.openAfterSeconds).toBe(60);

    await page.getByLabel('Phone (SMS), with country code').fill('+51 987 654 321');
    await page.getByRole('button', { name: 'Save the playbooks' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = (await s.api<Record<string, unknown>>('GET', '/api/v1/playbooks')).body;
    expect(saved).toMatchObject({
      openAfterSeconds: 90,
      alerts: { email: 'owner@shop.example', phone: '+51987654321' },
      playbook: { autoReply: { enabled: true, text: 'We answer here while {channel} is down.' }, callList: { enabled: false }, notify: { enabled: true } },
      byKind: { whatsapp: { notice: { enabled: true, text: 'WhatsApp is down: write to us by SMS.' }, recovery: { enabled: true } } },
    });
    await screenshot(page, 'planb-playbooks');

    // A reload shows what was saved.
    await page.reload();
    await page.getByRole('group', { name: 'WhatsApp only' }).getByLabel('Banner text').waitFor();
    expect(await page.getByRole('group', { name: 'WhatsApp only' }).getByLabel('Banner text').inputValue()).toBe('WhatsApp is down: write to us by SMS.');
  });

  it('sends a broadcast to a tag of three and shows it reach all of them', async () => {
    const tag = `vip-${randomBytes(3).toString('hex')}`;
    await tagged(3, tag);
    await page.goto(`${s.url}/broadcasts`);
    await page.getByRole('heading', { name: 'Broadcasts', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New broadcast' }).click();
    await page.getByRole('heading', { name: 'New broadcast', level: 1 }).waitFor();

    // No audience: the form says so and sends nothing.
    await page.getByLabel(/^Name/).fill('Weekend sale');
    await page.getByLabel(/^Message/).fill('Everything -20% this weekend <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Send the broadcast' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose who gets it' }).waitFor();

    await page.getByLabel('Customers with any of these tags').fill(tag);
    await page.getByRole('button', { name: 'Send the broadcast' }).click();
    // The form's own address (/broadcasts/new) matches too: wait for the broadcast's.
    await page.waitForURL((url) => /\/broadcasts\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { name: 'Weekend sale', level: 1 }).waitFor();
    await page.getByText('Everything -20% this weekend <script>alert(1)</script>').waitFor();
    await expect.poll(() => outcome(page, 'delivered').textContent(), { timeout: 20_000 }).toBe('3');
    await page.locator('.card-title .badge', { hasText: 'Finished' }).waitFor();
    expect(await page.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('3 of 3 done: 3 delivered, 0 sent, 0 failed, 0 waiting');
    await page.locator('.channel-results li[data-channel="twilio-sms"]').getByText('0 sent · 3 delivered · 0 failed there').waitFor();
    expect(await broadcast(id)).toMatchObject({ status: 'completed', total: 3, delivered: 3, failed: 0, pending: 0 });
    await screenshot(page, 'planb-broadcast-done');

    await page.getByRole('link', { name: '← Broadcasts' }).click();
    const row = page.getByRole('listitem', { name: 'Weekend sale' });
    await row.getByText('Finished').waitFor();
  });

  it('pauses and resumes a broadcast slowed by a rate limit', async () => {
    await setSmsRate({ ratePerSec: 2, burst: 1 });
    try {
      const tag = `slow-${randomBytes(3).toString('hex')}`;
      const people = await tagged(8, tag);
      const created = await s.api<{ id: string }>('POST', '/api/v1/broadcasts', { name: 'Slow news', audience: { tags: [tag] }, text: 'Paced message' });
      expect(created.status).toBe(202);
      const id = created.body.id;
      await page.goto(`${s.url}/broadcasts/${id}`);
      await page.getByRole('heading', { name: 'Slow news', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('.card-title .badge', { hasText: 'Paused' }).waitFor();
      await page.getByText('Paused: nothing more goes out until you resume.').waitFor();
      const paused = await broadcast(id);
      expect(paused.status).toBe('paused');
      expect(paused.pending).toBeGreaterThan(0);
      await screenshot(page, 'planb-broadcast-paused');

      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('.card-title .badge', { hasText: /Sending|Finished/ }).waitFor();
      await page.locator('.card-title .badge', { hasText: 'Finished' }).waitFor({ timeout: 30_000 });
      const done = await broadcast(id);
      expect(done).toMatchObject({ status: 'completed', total: people.length, failed: 0, pending: 0 });
      await expect.poll(() => outcome(page, 'pending').textContent()).toBe('0');
    } finally {
      await setSmsRate(null);
    }
  });

  it('imports a messy CSV: preview with row errors and a corrected column, then the summary', async () => {
    await page.goto(`${s.url}/settings/import-export`);
    await page.getByRole('heading', { name: 'Import & export', level: 2 }).waitFor();
    const csv = [
      'Nombre;Celular;Correo;Etiquetas;Mail2',
      'Ana Torres;987 111 222;ana@example.pe;vip;',
      'Teléfono Malo;12ab;malo@;;',
      'Ana Torres;+51 987 111 222;;mayorista;',
      'Luis Rojas;912 333 444;;;luis@example.pe',
      '',
    ].join('\r\n');
    await page.getByLabel('CSV or vCard file').setInputFiles({ name: 'clientes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    // Row 3 (the header is row 1) has a bad phone and a bad email: one row left out, saying both, "Row 3" once.
    const errors = preview.locator('.row-errors');
    await errors.getByText('Rows that will be left out: 1').waitFor();
    expect(await errors.locator('li').allTextContents()).toEqual([expect.stringMatching(/^Row 3: phone '12ab' .*; email 'malo@' /)]);
    expect(await errors.locator('li').first().textContent()).not.toMatch(/row 3/);
    expect(await preview.locator('.import-counts dd').allTextContents()).toEqual(['4', '2', '0', '1', '0', '1']);

    // The unknown column is left out until the owner says it holds emails.
    const mail2 = preview.getByLabel('Column “Mail2”');
    expect(await mail2.inputValue()).toBe('ignore');
    await mail2.selectOption('email');
    await preview.locator('.preview-rows li[data-row="5"]').getByText(/luis@example\.pe/).waitFor();
    expect(await page.getByLabel('Column “Mail2”').inputValue()).toBe('email');
    await screenshot(page, 'planb-import-preview');
    expect(await s.findContacts('Ana Torres')).toEqual([]);

    await page.getByRole('button', { name: 'Import the valid rows (3)' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 20_000 });
    expect(await summary.locator('.import-counts dd').allTextContents()).toEqual(['4', '2', '0', '1', '0', '1']);
    await summary.getByText('Row 3:', { exact: false }).waitFor();
    // In Spanish, the problems are worded in Spanish too, the country by its name.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await summary
      .locator('.row-errors li')
      .filter({ hasText: /^Fila 3: el teléfono «12ab» no es un número válido de Perú .*; el correo «malo@» no es una dirección de correo/ })
      .waitFor();
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    // The language follows the browser again, as the other tests expect.
    await page.evaluate(() => localStorage.removeItem('lifeline.language'));

    const ana = await s.findContacts<ContactView>('Ana Torres');
    expect(ana).toHaveLength(1);
    expect(ana[0]!.tags.sort()).toEqual(['mayorista', 'vip']);
    const luis = await s.findContacts<ContactView>('Luis Rojas');
    expect(luis).toHaveLength(1);
    expect(luis[0]!.identities.map((i) => i.value)).toContain('luis@example.pe');
    expect(await s.findContacts('Teléfono Malo')).toEqual([]);
    await screenshot(page, 'planb-import-summary');
  });

  it('offers the exports and saves the retention setting', async () => {
    await page.goto(`${s.url}/settings/import-export`);
    for (const name of ['Download everything (ZIP)', 'Download contacts (vCard)']) {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      const response = await page.request.get(`${s.url}${href}`);
      expect(response.status(), name).toBe(200);
      expect(response.headers()['content-type']).toMatch(name.includes('ZIP') ? /application\/zip/ : /text\/vcard/);
    }
    const retention = page.getByRole('form', { name: 'Keeping messages' });
    await retention.getByLabel('Delete messages older than a number of days').check();
    await retention.getByLabel('Days to keep messages').fill('90');
    await retention.getByRole('button', { name: 'Save' }).click();
    await retention.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await s.api<{ retentionDays: number | null }>('GET', '/api/v1/workspace/retention')).body.retentionDays).toBe(90);
  });

  it('fits a phone and speaks Spanish', async () => {
    const phone = await browser.newContext({ locale: 'es-PE', viewport: { width: 375, height: 740 }, storageState: await context.storageState() });
    const small = await phone.newPage();
    small.on('pageerror', (error) => pageErrors.push(error.message));
    await small.goto(`${s.url}/plan-b`);
    await small.getByRole('heading', { name: 'Plan B', level: 1 }).waitFor();
    await small.getByRole('region', { name: 'Incidentes cerrados' }).getByRole('listitem').first().waitFor();
    const overflow = () => small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Why each channel is in its state, in Spanish too (worded in the app from the server's reason and figures).
    await expect
      .poll(() => small.locator('.health-chip[data-channel="whatsapp"]').getAttribute('title'))
      .toMatch(/^(WhatsApp funciona: sali(ó|eron) \d+ de \d+ mensajes?|No salió ningún mensaje por WhatsApp|Fallaron \d+ de los últimos \d+ mensajes por WhatsApp) en los últimos 15 minutos/);
    await screenshot(small, 'planb-phone-es');
    // The closed incident's timeline and its actions' details, in Spanish too.
    await small.getByRole('region', { name: 'Incidentes cerrados' }).getByRole('listitem').first().getByRole('link').first().click();
    const cronologia = small.getByRole('region', { name: 'Cronología' });
    await cronologia.getByText(/^Declarado por .*: Our WhatsApp number was banned <b>this morning<\/b>\.$/).waitFor();
    await cronologia.getByText(/^Cerrado por /).waitFor();
    await small.locator('.action[data-action="notify"] .action-detail').filter({ hasText: 'Un mensaje por otro canal para 1 cliente afectado.' }).waitFor();
    expect(await small.locator('main').textContent()).not.toMatch(/Declared by|Closed by|affected customer/);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(small, 'planb-incident-phone-es');
    // On a phone the page scrolls as one: the header and the health strip go up with it instead of staying on screen.
    await small.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await small.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect((await small.locator('.top-bar').boundingBox())!.y).toBeLessThan(0);
    await small.getByRole('link', { name: 'Envíos', exact: true }).click();
    await small.getByRole('heading', { name: 'Envíos masivos', level: 1 }).waitFor();
    await small.getByRole('listitem', { name: 'Weekend sale' }).getByText('Terminado').waitFor();
    await small.getByRole('link', { name: 'Weekend sale' }).click();
    await small.getByRole('heading', { name: 'Progreso' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(small, 'planb-broadcast-phone-es');
    // A reload of an app path serves the app.
    await small.goto(`${s.url}/plan-b/playbooks`);
    await small.getByRole('heading', { name: 'Planes', level: 1 }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await phone.close();
  });
});

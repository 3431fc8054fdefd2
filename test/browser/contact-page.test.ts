// The public contact page in a real browser (Debian's chromium driven by playwright-core) against a real Lifeline and
// the provider sandbox, while WhatsApp is down there and its circuit is open: with JavaScript off a phone-sized
// browser sees the banner, every channel with its status in words, links and labelled QR codes; with JavaScript on the
// page runs under the server's CSP without a violation and the chat widget starts; the flyer prints on one A4 sheet
// and on one Letter sheet.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Browser, browserUnavailable, launchBrowser, type Page, SCREENSHOTS, screenshot } from '../support/browser.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

const PHONE_NUMBER_ID = '106540352242955';
const WA_SECRET = 'wa-app-secret-contact-browser';
const WA_TOKEN = 'EAAGcontactBrowserSandboxToken';
const TWILIO_SID = `AC${'c4'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-contact-browser';
const TWILIO_FROM = '+15017122664';

if (browserUnavailable) console.warn(`NOTICE: browser tests of the contact page are SKIPPED: ${browserUnavailable}.`);

describe.skipIf(browserUnavailable)('contact page in chromium', () => {
  let s: LiveServer;
  let browser: Browser;
  let slug: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['widget/build.mjs'], { env: { ...process.env, LIFELINE_QUIET_BUILD: '1' } });
    s = await startLiveServer({
      receiptDelayMs: 20,
      // A long rest: WhatsApp stays down for the whole test once its circuit opens.
      dispatcher: { backoff: { baseMs: 20, maxMs: 40 }, retryBudget: 0, circuit: { consecutiveFailures: 3, cooldownMs: 300_000 }, pollMs: 20, cacheTtlMs: 0, leaseMs: 5_000 },
      health: { intervalMs: 100 },
    });
    const wa = await s.createChannel('whatsapp', {
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: WA_TOKEN,
      appSecret: WA_SECRET,
      verifyToken: 'verify-contact-browser',
      apiBaseUrl: s.sandbox.url,
      displayPhoneNumber: '+51987654321',
    });
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
    const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
    expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
    await s.createChannel('telegram', { botToken: '123456789:AAEcontactBrowser_token', apiBaseUrl: s.sandbox.url, botUsername: 'tienda_sol_bot' });
    await s.createChannel('email', { from: 'hola@tienda.pe', smtp: { host: '127.0.0.1', port: 2525, secure: false } });
    await s.createChannel('webchat', { title: 'Tienda Sol' });
    await s.createChannel('voice', { phoneNumber: '+51987654322' });
    expect((await s.api('PATCH', '/api/v1/workspace', { name: 'Bodega Doña Marta' })).status).toBe(200);
    await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits: { whatsapp: null, 'twilio-sms': null } } }, 'test');
    slug = (await s.api<{ slug: string }>('GET', '/api/v1/workspace')).body.slug;

    // WhatsApp goes down at the provider; three failed sends open its circuit.
    await s.fault('whatsapp', { mode: 'down' });
    for (let i = 0; i < 3; i++) {
      const contact = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Browser', phones: [`+5195${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`] });
      const sent = await s.api<{ id: string }>('POST', '/api/v1/messages', { contactId: contact.body.id, text: `Order ${randomBytes(3).toString('hex')}`, template: { name: 'order_update', language: 'en' }, route: { channels: ['whatsapp', 'twilio-sms'] } });
      await s.waitFor(async () => ['delivered', 'read', 'failed'].includes((await s.api<{ status: string }>('GET', `/api/v1/messages/${sent.body.id}`)).body.status), 'the message to settle');
    }
    await s.waitFor(async () => (await s.api<{ items: { kind: string; health: string }[] }>('GET', '/api/v1/channels')).body.items.find((c) => c.kind === 'whatsapp')?.health === 'down', 'WhatsApp down');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /** Script errors and CSP violations (reported on the console) fail the test. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    return errors;
  }

  it('shows the banner and every channel with JavaScript off, on a phone', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const response = await page.goto(`${s.url}/c/${slug}`);
    expect(response?.status()).toBe(200);

    await expect(page.title()).resolves.toBe('Contact Bodega Doña Marta');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bodega Doña Marta');
    // Landmarks: the header (banner), main and footer (contentinfo).
    for (const role of ['banner', 'main', 'contentinfo'] as const) expect(await page.getByRole(role).count(), role).toBe(1);

    const notice = page.locator('section.notice');
    await expect(notice.isVisible()).resolves.toBe(true);
    expect(await notice.getByRole('heading', { level: 2 }).textContent()).toMatch(/WhatsApp is down right now/);
    expect(await notice.getByRole('link').allTextContents()).toEqual(['Telegram: @tienda_sol_bot', 'SMS: +1 501 712 2664', 'Email: hola@tienda.pe', 'Web chat: Open the chat', 'Phone: +51 987 654 322']);
    // The banner comes before the list, so it is the first thing read and seen.
    const bannerBox = (await notice.boundingBox())!;
    expect(bannerBox.y).toBeLessThan((await page.getByRole('heading', { name: 'Ways to reach us', level: 2 }).boundingBox())!.y);

    const channels = page.locator('ul.channels > li');
    expect(await channels.locator('h3').allTextContents()).toEqual(['WhatsApp', 'Telegram', 'SMS', 'Email', 'Web chat', 'Phone']);
    expect(await channels.filter({ hasText: 'WhatsApp' }).locator('.status').textContent()).toMatch(/Status: Down/);
    expect(await channels.filter({ hasText: 'SMS' }).locator('.status').textContent()).toMatch(/Status: Working/);
    expect(await page.getByRole('link', { name: 'Write to us on WhatsApp' }).getAttribute('href')).toBe('https://wa.me/51987654321');
    expect(await page.getByRole('link', { name: 'Call us' }).getAttribute('href')).toBe('tel:+51987654322');
    // QR codes are images with names, and drawn at a scannable size by the served stylesheet.
    const qr = page.getByRole('img', { name: 'QR code that opens WhatsApp: +51 987 654 321' });
    expect(await qr.count()).toBe(1);
    const qrBox = (await qr.boundingBox())!;
    expect(qrBox.width).toBeGreaterThanOrEqual(100);
    // Mobile first: one column, nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'contact-page');
    await page.screenshot({ path: join(SCREENSHOTS, 'contact-page-full.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs under the server\'s CSP with JavaScript on, where the chat widget starts too', async () => {
    const context = await browser.newContext({ locale: 'es-PE', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${s.url}/c/${slug}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('section.notice h2').textContent()).toMatch(/WhatsApp no funciona en este momento/);
    // The widget's launcher button appears: its script loaded and ran under script-src 'self'.
    await page.waitForFunction(() => document.querySelectorAll('body > div').length > 0);
    await page.waitForTimeout(300);
    // Two columns on a wide screen.
    const [first, second] = await page.locator('ul.channels > li').evaluateAll((items) => items.slice(0, 2).map((li) => li.getBoundingClientRect().top));
    expect(first).toBe(second);
    await screenshot(page, 'contact-page-desktop-es');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('prints the flyer on one sheet of A4 and of Letter', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US', viewport: { width: 900, height: 1200 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${s.url}/c/${slug}/flyer`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bodega Doña Marta');
    expect(await page.locator('.flyer-name').allTextContents()).toEqual(['WhatsApp', 'Telegram', 'SMS', 'Email', 'Phone']);
    expect(await page.getByRole('img', { name: /^QR code that opens our contact page: / }).count()).toBe(1);
    await screenshot(page, 'contact-page-flyer');

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.screen-only').isVisible()).toBe(false);
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = await page.pdf({ format, printBackground: true });
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages.length, format).toBe(1);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});

// The webchat widget in a real browser (Debian's chromium driven by playwright-core) against a real Lifeline
// server: the contact page under the server's CSP, a message typed offline delivered once when back online, and the
// floating widget embedded cross-origin on a "shop" website.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { freePort, type LiveServer, startLiveServer } from '../support/live-server.js';

type Playwright = typeof import('playwright-core');
type Browser = Awaited<ReturnType<Playwright['chromium']['launch']>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p));
const playwright: Playwright | null = await import('playwright-core').catch(() => null);
const skip = !playwright || !CHROMIUM;
if (skip) {
  console.warn(
    `NOTICE: browser tests of the webchat widget are SKIPPED: ${!playwright ? 'playwright-core is not installed (add it as a devDependency)' : 'no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)'}.`,
  );
}

interface TimelineItem {
  direction: string;
  body: string;
  providerMessageId: string | null;
}

describe.skipIf(skip)('webchat widget in chromium', () => {
  let server: LiveServer;
  let browser: Browser;
  let channelId: string;
  let shop: Server;
  let shopUrl: string;
  let shopChannelId = '';

  beforeAll(async () => {
    execFileSync(process.execPath, ['widget/build.mjs'], { env: { ...process.env, LIFELINE_QUIET_BUILD: '1' } });
    server = await startLiveServer();
    ({ id: channelId } = await server.createChannel('webchat', { title: 'Tienda Sol', greeting: 'Hola, ¿en qué te ayudamos?' }));
    browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // The business's own website, on another origin than Lifeline (localhost vs 127.0.0.1).
    const port = await freePort();
    shopUrl = `http://localhost:${port}`;
    shop = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      // A strict shop: exactly what widget/README.md tells businesses to allow, and no inline styles.
      const lifeline = server.url;
      response.setHeader('content-security-policy', `default-src 'self'; script-src ${lifeline}; connect-src ${lifeline} ${lifeline.replace('http', 'ws')}; style-src 'self'`);
      response.end(`<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1>
<script src="${server.url}/widget/v1/widget.js" data-channel="${shopChannelId}" async></script></body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => shop?.close(resolve));
    await server?.close();
  });

  /** Fails the test on CSP violations and script errors: the page must work under the server's policy. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/WebSocket connection .* failed|ERR_INTERNET_DISCONNECTED/.test(message.text())) errors.push(message.text());
    });
    return errors;
  }

  async function visitorIdOf(page: Page, channel: string): Promise<string> {
    const stored = await page.evaluate((key) => localStorage.getItem(key), `lifeline:${channel}:visitor`);
    return (JSON.parse(stored!) as { visitorId: string }).visitorId;
  }

  async function inbound(visitorId: string): Promise<TimelineItem[]> {
    const found = await server.api<{ items: { id: string }[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(visitorId)}`);
    const contact = found.body.items[0];
    if (!contact) return [];
    const page = await server.api<{ items: TimelineItem[] }>('GET', `/api/v1/contacts/${contact.id}/timeline`);
    return page.body.items.filter((i) => i.direction === 'inbound').reverse();
  }

  it('contact page: sends, queues while offline, delivers once when back online, shows replies and history', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/contact/${channelId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Tienda Sol' }).count()).toBe(1);
    await page.getByText('Hola, ¿en qué te ayudamos?').waitFor();

    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('¿Tienen delivery hoy?');
    await box.press('Enter');
    await page.locator('[data-delivery="sent"]', { hasText: '¿Tienen delivery hoy?' }).waitFor();
    const visitorId = await visitorIdOf(page, channelId);
    await server.waitFor(async () => (await inbound(visitorId)).length === 1, 'the first message in the timeline');

    await context.setOffline(true);
    await page.getByText('Offline', { exact: false }).waitFor();
    await box.fill('Escribo sin conexión');
    await box.press('Enter');
    await page.locator('[data-delivery="pending"]', { hasText: 'Escribo sin conexión' }).waitFor();
    await page.getByText('Waiting for connection…').waitFor();
    const queued = await page.evaluate((key) => localStorage.getItem(key), `lifeline:${channelId}:outbox`);
    expect(JSON.parse(queued!)).toEqual([expect.objectContaining({ text: 'Escribo sin conexión' })]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await inbound(visitorId)).map((i) => i.body)).toEqual(['¿Tienen delivery hoy?']);

    await context.setOffline(false);
    await page.locator('[data-delivery="sent"]', { hasText: 'Escribo sin conexión' }).waitFor({ timeout: 15_000 });
    await server.waitFor(async () => (await inbound(visitorId)).length === 2, 'the offline message in the timeline');
    await new Promise((r) => setTimeout(r, 300));
    expect((await inbound(visitorId)).map((i) => i.body)).toEqual(['¿Tienen delivery hoy?', 'Escribo sin conexión']);
    expect(await page.evaluate((key) => localStorage.getItem(key), `lifeline:${channelId}:outbox`)).toBeNull();

    // An agent replies: it appears in the page, links clickable.
    const channel = await server.data.channels.require(channelId);
    await adapterFor('webchat')!.send(server.app.channels.contextFor(channel), { messageId: 'reply-1', to: visitorId, text: 'Sí, hasta las 8 pm: https://shop.example/delivery' });
    await page.getByText('Sí, hasta las 8 pm:').waitFor();
    expect(await page.getByRole('link', { name: 'https://shop.example/delivery' }).getAttribute('href')).toBe('https://shop.example/delivery');
    // The widget confirmed it: once the dispatcher's record exists, it is delivered.
    const contactId = (await server.data.contacts.findByIdentity('webchat', visitorId))!.id;
    await server.data.messages.append({ contactId, direction: 'outbound', channel: 'webchat', channelId, body: 'Sí', providerMessageId: 'reply-1', status: 'sent' });
    await server.waitFor(async () => (await server.data.messages.findByProviderId(channelId, 'outbound', 'reply-1'))?.status === 'delivered', 'the reply delivered');

    // A reload keeps the visitor and replays the conversation, each message once.
    await page.reload();
    await page.locator('[data-delivery="sent"]', { hasText: 'Escribo sin conexión' }).waitFor();
    expect(await visitorIdOf(page, channelId)).toBe(visitorId);
    expect(await page.getByText('Escribo sin conexión').count()).toBe(1);
    expect(await page.getByText('¿Tienen delivery hoy?').count()).toBe(1);

    // The contact form adds a phone to the contact.
    await page.getByRole('button', { name: 'Leave your phone or email' }).click();
    await page.getByRole('textbox', { name: 'Phone' }).fill('987 111 222');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('we will reach you there').waitFor();
    const contact = await server.data.contacts.findByIdentity('webchat', visitorId);
    expect(contact!.identities.map((i) => i.value)).toContain('+51987111222');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the business\'s plan-B banner while an incident is open on one of its channels', async () => {
    const telegram = await server.createChannel('telegram', { botToken: '777000:widget-incident', apiBaseUrl: server.sandbox.url }, 'Telegram');
    const declared = await server.api<{ id: string }>('POST', '/api/v1/incidents', { channelId: telegram.id, kind: 'outage', note: 'Telegram is down' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${server.url}/contact/${channelId}`);
      const banner = page.getByRole('alert');
      await banner.waitFor();
      await expect(banner.textContent()).resolves.toMatch(/Telegram/);
      expect((await server.api('POST', `/api/v1/incidents/${declared.body.id}/close`, {})).status).toBe(200);
      await page.reload();
      await page.getByText('Hola, ¿en qué te ayudamos?').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('floating widget on another website with a strict CSP: opens, focuses the message box, Escape closes, sends', async () => {
    ({ id: shopChannelId } = await server.createChannel('webchat', { title: 'Ayuda', allowedOrigins: [shopUrl] }, 'shop chat'));
    const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${shopUrl}/`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => box.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await page.getByRole('heading', { name: 'Ayuda' }).waitFor();
    // Mobile width: the panel takes the whole screen.
    const panel = await page.getByRole('dialog').boundingBox();
    expect(panel!.width).toBe(375);

    await box.press('Escape');
    await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Open chat' }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    await page.getByRole('button', { name: 'Open chat' }).click();
    await box.fill('Hola desde la tienda');
    await box.press('Enter');
    await page.locator('[data-delivery="sent"]', { hasText: 'Hola desde la tienda' }).waitFor();
    const visitorId = await visitorIdOf(page, shopChannelId);
    await server.waitFor(async () => (await inbound(visitorId)).length === 1, 'the shop visitor message');
    expect(errors).toEqual([]);
    await context.close();
  });
});

// The public contact page end to end, on SQLite and PostgreSQL: a real Lifeline server with channels connected to
// the provider sandbox. The page lists them with links and QR codes, escapes a hostile business name, answers an
// unknown address with a helpful 404; when WhatsApp goes down at the sandbox and its circuit opens, the page names
// WhatsApp as down and offers SMS instead, and once WhatsApp recovers the page is back to normal.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases.js';
import { type LiveServer, startLiveServer } from './support/live-server.js';

const PHONE_NUMBER_ID = '106540352242944';
const WA_SECRET = 'wa-app-secret-contact-page';
const WA_TOKEN = 'EAAGcontactPageSandboxToken';
const TWILIO_SID = `AC${'c3'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-contact-page';
const TWILIO_FROM = '+15017122663';
const TEMPLATE = { name: 'order_update', language: 'en' };
const HOSTILE = '"><script>alert(1)</script> & <img src=x onerror=alert(2)>';

describe.each(DATABASES)('contact page on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let slug: string;
    let webchat: string;

    beforeAll(async () => {
      s = await startLiveServer({
        kind,
        receiptDelayMs: 20,
        dispatcher: {
          backoff: { baseMs: 20, maxMs: 40 },
          retryBudget: 0,
          circuit: { consecutiveFailures: 3, cooldownMs: 2_000 },
          pollMs: 20,
          cacheTtlMs: 0,
          leaseMs: 5_000,
        },
        // Checked often, and failures age out of the error rate quickly, so recovery shows within the test.
        health: { intervalMs: 100, windowMs: 3_000 },
      });
      const wa = await s.createChannel('whatsapp', {
        phoneNumberId: PHONE_NUMBER_ID,
        accessToken: WA_TOKEN,
        appSecret: WA_SECRET,
        verifyToken: 'verify-contact-page',
        apiBaseUrl: s.sandbox.url,
        displayPhoneNumber: '+51987654321',
      });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
      await s.createChannel('telegram', { botToken: '123456789:AAEcontactPage_token', apiBaseUrl: s.sandbox.url, botUsername: '@tienda_sol_bot' });
      await s.createChannel('email', { from: 'hola@tienda.pe', smtp: { host: '127.0.0.1', port: 2525, secure: false, pass: 'smtp-secret-pass' } });
      ({ id: webchat } = await s.createChannel('webchat', { title: 'Tienda Sol' }));
      // Staff's own line: connected, but not for customers.
      await s.createChannel('voice', { phoneNumber: '+51111222333', showOnContactPage: false });
      await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits: { whatsapp: null, 'twilio-sms': null } } }, 'test');
      slug = (await s.api<{ slug: string }>('GET', '/api/v1/workspace')).body.slug;
    });
    afterAll(async () => {
      await s?.close();
    });

    const page = async (path = `/c/${slug}`, headers: Record<string, string> = {}) => {
      const response = await fetch(`${s.url}${path}`, { headers, redirect: 'manual' });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    const banner = (body: string) => {
      const start = body.indexOf('<section class="notice"');
      return start === -1 ? null : body.slice(start, body.indexOf('</section>', start));
    };
    const statusOf = (body: string, heading: string) => {
      const card = body.slice(body.indexOf(`>${heading}</h3>`));
      return /Status: ([A-Za-z ]+)</.exec(card)?.[1];
    };

    it('lists the channels created, each with its link, status and a labelled QR code', async () => {
      const res = await page();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=15');
      expect(res.headers.get('vary')).toMatch(/accept-language/i);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(res.body).toContain('<h1>Test shop</h1>');
      for (const link of ['https://wa.me/51987654321', 'https://t.me/tienda_sol_bot', `sms:${TWILIO_FROM}`, 'mailto:hola@tienda.pe', `${s.url}/contact/${webchat}`]) {
        expect(res.body).toContain(`href="${link}"`);
      }
      expect(res.body.match(/<svg class="qr"[^>]*role="img" aria-label="QR code that opens/g)).toHaveLength(5);
      for (const heading of ['WhatsApp', 'Telegram', 'SMS', 'Email', 'Web chat']) expect(statusOf(res.body, heading)).toBe('Working');
      expect(res.body).toContain(`<script src="/widget/v1/widget.js" data-channel="${webchat}" async></script>`);
      expect(banner(res.body)).toBeNull();
      // Nothing hidden, nothing secret, nothing about the customers.
      for (const secret of ['+51111222333', WA_TOKEN, WA_SECRET, TWILIO_TOKEN, 'smtp-secret-pass', 'AAEcontactPage_token', PHONE_NUMBER_ID, s.workspaceId]) {
        expect(res.body).not.toContain(secret);
      }
      // Its stylesheet is served, long-cached by content hash.
      const href = /<link rel="stylesheet" href="([^"]+)"/.exec(res.body)![1]!;
      const css = await fetch(`${s.url}${href}`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect(css.headers.get('cache-control')).toMatch(/immutable/);
      expect(await css.text()).toContain('@media print');
    });

    it('speaks the visitor\'s language', async () => {
      const es = await page(`/c/${slug}`, { 'accept-language': 'es-PE,es;q=0.9,en;q=0.5' });
      expect(es.body).toContain('<html lang="es">');
      expect(es.body).toContain('Escríbenos por WhatsApp');
      expect((await page(`/c/${slug}?lang=en`, { 'accept-language': 'es' })).body).toContain('<html lang="en">');
    });

    it('escapes a hostile business name on the page and the flyer', async () => {
      expect((await s.api('PATCH', '/api/v1/workspace', { name: HOSTILE })).status).toBe(200);
      try {
        for (const path of [`/c/${slug}`, `/c/${slug}/flyer`]) {
          const res = await page(path);
          expect(res.status).toBe(200);
          expect(res.body).not.toContain('<script>alert');
          expect(res.body).not.toContain('<img');
          expect(res.body).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;');
        }
      } finally {
        expect((await s.api('PATCH', '/api/v1/workspace', { name: 'Test shop' })).status).toBe(200);
      }
    });

    it('answers an unknown address with a 404 page that says what to check', async () => {
      for (const path of ['/c/no-such-shop', '/c/no-such-shop/flyer', '/c/-bad-', `/c/${'x'.repeat(80)}`, '/c/%3Cscript%3E']) {
        const res = await page(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(res.body).toContain('No contact page here');
        expect(res.body).toContain('Check the link');
        expect(res.body).not.toContain('<script>');
      }
      // A slug typed with capitals from a flyer finds its page.
      const typed = await page(`/c/${slug.toUpperCase()}/flyer`);
      expect(typed.status).toBe(301);
      expect(typed.headers.get('location')).toBe(`/c/${slug}/flyer`);
    });

    it('prints a flyer with each channel\'s QR code and handle and the page\'s own address', async () => {
      const res = await page(`/c/${slug}/flyer`);
      expect(res.status).toBe(200);
      expect(res.body).toContain('Write to us on:');
      expect(res.body).toContain('<p class="flyer-handle">+51 987 654 321</p>');
      expect(res.body).toContain('<p class="flyer-handle">@tienda_sol_bot</p>');
      const address = `${s.url.replace(/^https?:\/\//, '')}/c/${slug}`;
      expect(res.body).toContain(`<p class="flyer-url">${address}</p>`);
      expect(res.body).toContain(`aria-label="QR code that opens our contact page: ${address}"`);
      // WhatsApp, Telegram, SMS, email and the page (which leads to the webchat).
      expect(res.body.match(/<svg class="qr"/g)).toHaveLength(5);
      expect(res.body).not.toContain('<script');
    });

    it('names the channel of an incident declared by staff, and drops it once the incident is closed', async () => {
      const channels = (await s.api<{ items: { id: string; kind: string }[] }>('GET', '/api/v1/channels')).body.items;
      const telegram = channels.find((c) => c.kind === 'telegram')!;
      const declared = await s.api<{ id: string }>('POST', '/api/v1/incidents', { channelId: telegram.id, kind: 'ban', note: 'Telegram blocked our bot' });
      expect(declared.status, JSON.stringify(declared.body)).toBe(201);
      const during = await page();
      expect(banner(during.body)).toContain('Telegram');
      expect(statusOf(during.body, 'Telegram')).toBe('Down');
      expect((await s.api('POST', `/api/v1/incidents/${declared.body.id}/close`, {})).status).toBe(200);
      expect(banner((await page()).body)).toBeNull();
    });

    it('names WhatsApp as down while its circuit is open, offers the other channels, and is back to normal after recovery', async () => {
      const newContact = async () => {
        const phone = `+5196${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
        const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: `Page ${randomBytes(3).toString('hex')}`, phones: [phone] });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id;
      };
      const send = async () => {
        const res = await s.api<{ id: string }>('POST', '/api/v1/messages', {
          contactId: await newContact(),
          text: `Order ${randomBytes(3).toString('hex')}`,
          template: TEMPLATE,
          route: { channels: ['whatsapp', 'twilio-sms'] },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        return s.waitFor(async () => {
          const m = (await s.api<{ status: string; attempts: { channel: string }[] }>('GET', `/api/v1/messages/${res.body.id}`)).body;
          return ['delivered', 'read', 'failed'].includes(m.status) ? m : null;
        }, `message ${res.body.id} to settle`);
      };

      await s.fault('whatsapp', { mode: 'down' });
      for (let i = 0; i < 3; i++) await send();
      const during = await s.waitFor(async () => {
        const res = await page();
        return banner(res.body) ? res.body : null;
      }, 'the banner on the contact page');
      const notice = banner(during)!;
      expect(notice).toContain('WhatsApp is down right now');
      expect(notice).toContain('Reach us instead on:');
      expect(notice).toContain(`href="sms:${TWILIO_FROM}"`);
      expect(notice).toContain('href="mailto:hola@tienda.pe"');
      expect(notice).not.toContain('wa.me');
      expect(statusOf(during, 'WhatsApp')).toBe('Down');
      expect(statusOf(during, 'SMS')).toBe('Working');
      // The flyer is for paper: it never carries an outage.
      expect((await page(`/c/${slug}/flyer`)).body).not.toContain('down right now');
      const es = await page(`/c/${slug}`, { 'accept-language': 'es' });
      expect(banner(es.body)).toContain('WhatsApp no funciona en este momento');

      // WhatsApp recovers; after the circuit's rest the next message tests it, gets through, and closes the circuit.
      await s.fault('whatsapp', { mode: 'ok' });
      await s.waitFor(async () => !banner((await page()).body), 'the banner to go once the circuit rests');
      const probe = await send();
      expect(probe.attempts.map((a) => a.channel)).toEqual(['whatsapp']);
      const after = await s.waitFor(async () => {
        const res = await page();
        return statusOf(res.body, 'WhatsApp') === 'Working' ? res.body : null;
      }, 'WhatsApp working again on the contact page');
      expect(banner(after)).toBeNull();
    });
  });
});

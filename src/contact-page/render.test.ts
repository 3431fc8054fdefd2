import { describe, expect, it } from 'vitest';
import { type ContactPageInput, contactPageModel, publicStatus } from './model.js';
import { renderContactPage, renderFlyer, renderNotFound } from './render.js';

const HOSTILE = '"><script>alert(1)</script> & <img src=x onerror=alert(2)>';

function input(overrides: Partial<ContactPageInput> = {}): ContactPageInput {
  return {
    workspace: { name: 'Tienda Sol', slug: 'tienda-sol', channelOrder: ['whatsapp', 'telegram', 'twilio-sms', 'email', 'webchat', 'voice'] },
    channels: [
      { id: 'sms', kind: 'twilio-sms', state: 'active', config: { from: '+15017122661', authToken: 'SECRET-TOKEN' } },
      { id: 'wa', kind: 'whatsapp', state: 'active', config: { displayPhoneNumber: '+51987654321', accessToken: 'SECRET-WA' } },
      { id: 'mail', kind: 'email', state: 'active', config: { from: 'hola@tienda.pe', smtp: { pass: 'SECRET-SMTP' } } },
      { id: 'chat', kind: 'webchat', state: 'active', config: {} },
      { id: 'tg', kind: 'telegram', state: 'active', config: { botToken: '1:SECRET' } },
      { id: 'hidden', kind: 'voice', state: 'active', config: { phoneNumber: '+51111111111', showOnContactPage: false } },
      { id: 'paused', kind: 'viber', state: 'paused', config: { publicAccountUri: 'tiendasol' } },
    ],
    health: new Map(),
    notice: null,
    publicUrl: 'https://chat.tienda.pe/',
    ...overrides,
  };
}

const down = { outages: [{ channelId: 'wa', kind: 'whatsapp', since: 1, sources: ['health' as const] }] };
const context = { lang: 'en' as const, now: Date.UTC(2025, 0, 15, 14, 5), timezone: 'America/Lima' };

describe('contactPageModel', () => {
  it('lists active, shown channels that have a link, in the workspace order', () => {
    const model = contactPageModel(input());
    expect(model.channels.map((c) => [c.id, c.status, c.link.url])).toEqual([
      ['wa', 'up', 'https://wa.me/51987654321'],
      ['sms', 'up', 'sms:+15017122661'],
      ['mail', 'up', 'mailto:hola@tienda.pe'],
      ['chat', 'up', 'https://chat.tienda.pe/contact/chat'],
    ]);
    expect(model).toMatchObject({ pageUrl: 'https://chat.tienda.pe/c/tienda-sol', flyerPath: '/c/tienda-sol/flyer', webchatChannelId: 'chat', outages: [], alternatives: [] });
  });

  it('says a channel in the notice is down, and offers the working ones instead', () => {
    const model = contactPageModel(input({ notice: down, health: new Map([['mail', 'degraded']]) }));
    expect(model.channels.find((c) => c.id === 'wa')!.status).toBe('down');
    expect(model.outages.map((o) => o.id)).toEqual(['wa']);
    expect(model.alternatives.map((c) => c.id)).toEqual(['sms', 'chat']);
  });

  it('offers channels having problems when none works well, and names an unlinked channel that is down', () => {
    const model = contactPageModel(
      input({
        channels: input().channels.filter((c) => ['wa', 'mail', 'tg'].includes(c.id)),
        notice: { outages: [...down.outages, { channelId: 'tg', kind: 'telegram', since: null, sources: ['incident'] }] },
        health: new Map([['mail', 'degraded']]),
      }),
    );
    expect(model.outages.map((o) => [o.id, o.link])).toEqual([
      ['wa', expect.objectContaining({ url: 'https://wa.me/51987654321' })],
      ['tg', null],
    ]);
    expect(model.alternatives.map((c) => c.id)).toEqual(['mail']);
  });

  it('maps health to what customers read', () => {
    expect([publicStatus('up', false), publicStatus('degraded', false), publicStatus('down', false), publicStatus('banned', false), publicStatus(undefined, false), publicStatus('up', true)]).toEqual([
      'up',
      'degraded',
      'down',
      'down',
      'up',
      'down',
    ]);
  });
});

describe('renderContactPage', () => {
  it('shows every channel with its status in words, its link and a labelled QR code', () => {
    const page = renderContactPage(contactPageModel(input({ health: new Map([['sms', 'degraded']]) })), context);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<h1>Tienda Sol</h1>');
    expect(page).toMatch(/<main[^>]*>/);
    expect(page).toContain('<footer');
    expect(page).toContain('href="https://wa.me/51987654321"');
    expect(page).toContain('Status: Working');
    expect(page).toContain('Status: Having problems');
    expect(page).toContain('+51 987 654 321');
    expect(page.match(/<svg class="qr"[^>]* role="img" aria-label="QR code that opens [^"]+"/g)).toHaveLength(4);
    expect(page).toContain('href="/c/tienda-sol/flyer"');
    expect(page).toContain('<link rel="stylesheet" href="/c/-/contact-page.css?v=');
    expect(page).toMatch(/Status as of 0?9:05 AM GMT-5\./); // Lima is UTC-5
    expect(page).not.toContain('class="notice"');
  });

  it('embeds the chat widget by src only: no inline script, no style attribute', () => {
    const page = renderContactPage(contactPageModel(input()), context);
    const scripts = page.match(/<script[^>]*>[^<]*<\/script>/g);
    expect(scripts).toEqual(['<script src="/widget/v1/widget.js" data-channel="chat" async></script>']);
    expect(page).not.toMatch(/ style=/);
    expect(page).not.toMatch(/ on[a-z]+=/);
    expect(page).not.toContain('<style');
  });

  it('has no widget when there is no webchat channel', () => {
    const page = renderContactPage(contactPageModel(input({ channels: input().channels.filter((c) => c.kind !== 'webchat') })), context);
    expect(page).not.toContain('<script');
  });

  it('never shows credentials or hidden channels', () => {
    const page = renderContactPage(contactPageModel(input()), context);
    expect(page).not.toMatch(/SECRET/);
    expect(page).not.toContain('+51111111111');
    expect(page).not.toContain('tiendasol');
  });

  it('names the channel that is down in a banner, with where to write instead', () => {
    const page = renderContactPage(contactPageModel(input({ notice: down })), context);
    const banner = page.slice(page.indexOf('<section class="notice"'), page.indexOf('</section>') + 10);
    expect(banner).toContain('WhatsApp is down right now');
    expect(banner).toContain('Reach us instead on:');
    expect(banner).toContain('<a href="sms:+15017122661">SMS: +1 501 712 2661</a>');
    expect(banner).toContain('<a href="mailto:hola@tienda.pe">Email: hola@tienda.pe</a>');
    expect(banner).toContain('Web chat: Open the chat');
    expect(page.indexOf('class="notice"')).toBeLessThan(page.indexOf('id="channels-heading"'));
    expect(page).toContain('Status: Down');
  });

  it('speaks Spanish, joining names the Spanish way', () => {
    const notice = { outages: [...down.outages, { channelId: 'ig', kind: 'instagram', since: null, sources: ['health' as const] }] };
    const channels = [...input().channels, { id: 'ig', kind: 'instagram', state: 'active', config: { username: 'tienda.sol' } }];
    const page = renderContactPage(contactPageModel(input({ channels, notice })), { ...context, lang: 'es' });
    expect(page).toContain('<html lang="es">');
    expect(page).toContain('WhatsApp e Instagram no funcionan en este momento');
    expect(page).toContain('Mientras tanto, escríbenos por:');
    expect(page).toContain('Estado: No funciona');
    expect(page).toContain('Escríbenos por WhatsApp');
    expect(page).toContain('Cartel para imprimir');
  });

  it('tells two channels of one kind apart by their handle', () => {
    const channels = [...input().channels, { id: 'wa2', kind: 'whatsapp', state: 'active', config: { displayPhoneNumber: '+51912345678' } }];
    const page = renderContactPage(contactPageModel(input({ channels, notice: down })), context);
    expect(page).toContain('WhatsApp +51 987 654 321 is down right now');
    expect(page).toContain('WhatsApp +51 912 345 678: +51 912 345 678');
  });

  it('escapes a hostile business name everywhere it appears', () => {
    const model = contactPageModel(input({ workspace: { ...input().workspace, name: HOSTILE } }));
    for (const page of [renderContactPage(model, context), renderFlyer(model, context)]) {
      expect(page).not.toContain('<script>alert');
      expect(page).not.toContain('<img');
      expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;');
    }
  });

  it('says so when the business lists no channel', () => {
    const page = renderContactPage(contactPageModel(input({ channels: [] })), context);
    expect(page).toContain('This business has not listed any channels here yet.');
  });

  it('falls back to UTC for a time zone it does not know', () => {
    expect(renderContactPage(contactPageModel(input()), { ...context, timezone: 'Mars/Olympus' })).toMatch(/Status as of 0?2:05 PM UTC\./);
  });
});

describe('renderFlyer', () => {
  it('prints the name, each channel with QR code and handle, and the page with its own QR code', () => {
    const flyer = renderFlyer(contactPageModel(input({ notice: down })), context);
    expect(flyer).toContain('<h1>Tienda Sol</h1>');
    expect(flyer).toContain('Write to us on:');
    // The webchat is reached through the page's own code, named beside it.
    expect(flyer.match(/<svg class="qr"/g)).toHaveLength(4);
    expect(flyer).not.toContain('/contact/chat');
    expect(flyer).toContain('this page tells you where to reach us, and you can chat with us there:');
    expect(flyer).toContain('aria-label="QR code that opens our contact page: chat.tienda.pe/c/tienda-sol"');
    expect(flyer).toContain('<p class="flyer-url">chat.tienda.pe/c/tienda-sol</p>');
    expect(flyer).toContain('<p class="flyer-handle">+51 987 654 321</p>');
    // Paper outlives an outage: no status, no banner.
    expect(flyer).not.toContain('Status');
    expect(flyer).not.toContain('<script');
  });
});

describe('renderNotFound', () => {
  it('says what is wrong and what to check, with the path escaped', () => {
    const page = renderNotFound('/c/<b>nope', { lang: 'en' });
    expect(page).toContain('No contact page here');
    expect(page).toContain('No business uses the address /c/&lt;b&gt;nope.');
    expect(renderNotFound('/c/x', { lang: 'es' })).toContain('Aquí no hay página de contacto');
  });
});

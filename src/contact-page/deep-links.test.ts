import { describe, expect, it } from 'vitest';
import { credentialFields } from '../channels/credential-fields.js';
import { adapterFor, registeredKinds } from '../channels/registry.js';
import { deepLinkFor } from './deep-links.js';

const place = { channelId: 'ch_123', publicUrl: 'https://chat.tienda.pe/' };

describe('deepLinkFor', () => {
  it.each([
    ['whatsapp', { displayPhoneNumber: '+51987654321' }, 'https://wa.me/51987654321', '+51 987 654 321'],
    ['telegram', { botUsername: 'tienda_sol_bot' }, 'https://t.me/tienda_sol_bot', '@tienda_sol_bot'],
    ['telegram', { botUsername: '@tienda_sol_bot' }, 'https://t.me/tienda_sol_bot', '@tienda_sol_bot'],
    ['viber', { publicAccountUri: 'tiendasol' }, 'viber://pa?chatURI=tiendasol', 'tiendasol'],
    ['messenger', { pageId: '106540352242922' }, 'https://m.me/106540352242922', 'm.me/106540352242922'],
    ['instagram', { username: '@tienda.sol' }, 'https://ig.me/m/tienda.sol', '@tienda.sol'],
    ['twilio-sms', { from: '+15017122661' }, 'sms:+15017122661', '+1 501 712 2661'],
    ['email', { from: 'hola@tienda.pe' }, 'mailto:hola@tienda.pe', 'hola@tienda.pe'],
    ['email', { from: 'ventas+web@tienda.pe' }, 'mailto:ventas%2Bweb@tienda.pe', 'ventas+web@tienda.pe'],
    ['voice', { phoneNumber: '+51987654321', callerId: '+51111111111' }, 'tel:+51987654321', '+51 987 654 321'],
    ['voice', { callerId: '+51987654321' }, 'tel:+51987654321', '+51 987 654 321'],
    ['webchat', {}, 'https://chat.tienda.pe/contact/ch_123', 'chat.tienda.pe/contact/ch_123'],
  ])('%s %j → %s', (kind, config, url, handle) => {
    expect(deepLinkFor(kind, config, place)).toEqual({ url, handle });
  });

  it.each([
    ['whatsapp', {}],
    ['whatsapp', { displayPhoneNumber: '987654321' }],
    ['whatsapp', { displayPhoneNumber: '+51 987 654 321' }],
    ['whatsapp', { displayPhoneNumber: '+51987654321"><script>' }],
    ['whatsapp', { displayPhoneNumber: 51987654321 }],
    ['telegram', { botUsername: 'ab' }],
    ['telegram', { botUsername: 'bot/../../evil' }],
    ['telegram', { botUsername: 'javascript:alert(1)' }],
    ['viber', { publicAccountUri: 'a b' }],
    ['viber', { publicAccountUri: 'x&chatURI=evil' }],
    ['messenger', { pageId: 'my.page' }],
    ['messenger', {}],
    ['instagram', { username: 'tienda sol' }],
    ['instagram', { username: 'a'.repeat(31) }],
    ['twilio-sms', { from: 'Shop' }],
    ['email', { from: 'not an email' }],
    ['email', { from: 'x@y.z?body=hi' }],
    ['email', { from: '"a"@b.com' }],
    ['voice', {}],
    ['voice', { phoneNumber: 'tel:+51987654321' }],
    ['unknown-kind', { from: '+15017122661' }],
  ])('%s %j → no link', (kind, config) => {
    expect(deepLinkFor(kind, config, place)).toBeNull();
  });

  it('gives no link for configs that are not objects', () => {
    expect(deepLinkFor('whatsapp', null)).toBeNull();
    expect(deepLinkFor('whatsapp', 'x')).toBeNull();
  });

  it('gives no webchat link without the channel and an http(s) public URL', () => {
    expect(deepLinkFor('webchat', {})).toBeNull();
    expect(deepLinkFor('webchat', {}, { channelId: 'ch_1', publicUrl: 'javascript:alert(1)' })).toBeNull();
    expect(deepLinkFor('webchat', {}, { channelId: 'ch_1', publicUrl: 'not a url' })).toBeNull();
    expect(deepLinkFor('webchat', {}, { channelId: 'a/b?c', publicUrl: 'http://127.0.0.1:3000' })).toEqual({
      url: 'http://127.0.0.1:3000/contact/a%2Fb%3Fc',
      handle: '127.0.0.1:3000/contact/a%2Fb%3Fc',
    });
  });

  it('accepts in the adapters exactly the public handles it links to', () => {
    const check = (kind: string, config: Record<string, unknown>) => adapterFor(kind)!.configSchema.safeParse(config);
    const wa = { phoneNumberId: '1', accessToken: 't', appSecret: 's', verifyToken: 'v' };
    expect(check('whatsapp', { ...wa, displayPhoneNumber: '+51987654321', showOnContactPage: false }).success).toBe(true);
    expect(check('whatsapp', { ...wa, displayPhoneNumber: '987 654 321' }).error?.issues[0]?.message).toMatch(/international format/);
    const telegram = check('telegram', { botToken: '123:abc', botUsername: '@tienda_sol_bot' });
    expect(telegram.data).toMatchObject({ botUsername: 'tienda_sol_bot' });
    expect(check('telegram', { botToken: '123:abc', botUsername: 'no way' }).success).toBe(false);
    expect(check('viber', { authToken: 'a-long-viber-token', publicAccountUri: 'tiendasol' }).success).toBe(true);
    const page = { pageId: '1', pageAccessToken: 't', appSecret: 's', verifyToken: 'v' };
    expect(check('instagram', { ...page, username: '@tienda.sol' }).data).toMatchObject({ username: 'tienda.sol' });
    expect(check('instagram', { ...page, username: 'bad name' }).success).toBe(false);
    expect(check('voice', { phoneNumber: '+51987654321' }).success).toBe(true);
    expect(check('webchat', { showOnContactPage: 'no' }).success).toBe(false);
    // The flag is not written into configs that leave it out: absent means "listed".
    expect(check('webchat', {}).data).toEqual({});
  });

  it('offers every channel\'s settings form a "show on the contact page" box, ticked by default', () => {
    for (const kind of registeredKinds()) {
      const field = credentialFields(adapterFor(kind)!).find((f) => f.name === 'showOnContactPage');
      expect(field, kind).toMatchObject({ type: 'boolean', required: false, secret: false, default: true });
    }
  });
});

// Messenger and Instagram webhooks from Meta's documented example payloads (messenger/ and instagram/ fixtures).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebhookParseError } from '../types.js';
import { parsePageWebhook } from './page-webhook.js';

const fixture = (channel: string, name: string) => readFileSync(new URL(`../${channel}/fixtures/${name}.json`, import.meta.url));
const messenger = { object: 'page', identityKind: 'messenger' } as const;
const instagram = { object: 'instagram', identityKind: 'instagram' } as const;

describe('parsePageWebhook (Messenger)', () => {
  it('reads messages, attachments and postbacks from every entry, and skips echoes of our own sends', () => {
    const events = parsePageWebhook(fixture('messenger', 'messages'), messenger);
    expect(events).toEqual([
      {
        type: 'message', identityKind: 'messenger', from: '6783451209876543', fromName: null,
        providerMessageId: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        text: 'hello, is my order shipped?', at: 1458692752478,
      },
      {
        type: 'message', identityKind: 'messenger', from: '6783451209876543', fromName: null, providerMessageId: 'm_IMG1',
        text: '', at: 1458692752600, attachments: [{ url: 'https://scontent.xx.fbcdn.net/v/photo.jpg', contentType: 'image/*' }],
      },
      { type: 'message', identityKind: 'messenger', from: '6783451209876543', fromName: null, providerMessageId: 'm_POSTBACK1', text: 'Talk to a person', at: 1458692752800 },
    ]);
  });

  it('turns delivery mids into delivered statuses, and bare watermarks into statuses of everything the customer got before', () => {
    expect(parsePageWebhook(fixture('messenger', 'receipts'), messenger)).toEqual([
      { type: 'status', providerMessageId: 'mid.1458668856218:ed81099e15d3f4f233', status: 'delivered', at: 1458668856253 },
      { type: 'status', providerMessageId: 'mid.1458668856219:ed81099e15d3f4f244', status: 'delivered', at: 1458668856253 },
      { type: 'status_up_to', identityKind: 'messenger', from: '6783451209876543', status: 'read', upTo: 1458668856253, at: 1458668856463 },
      { type: 'status_up_to', identityKind: 'messenger', from: '6783451209876543', status: 'delivered', upTo: 1458668856300, at: 1458668856500 },
    ]);
  });

  it('ignores another object, and rejects bodies that are not webhooks', () => {
    expect(parsePageWebhook(fixture('instagram', 'messages'), messenger)).toEqual([]);
    expect(() => parsePageWebhook(Buffer.from('not json'), messenger)).toThrow(WebhookParseError);
    expect(() => parsePageWebhook(Buffer.from('{"object":"page"}'), messenger)).toThrow(WebhookParseError);
  });
});

describe('parsePageWebhook (Instagram)', () => {
  it('reads IGSID messages with replies and attachments, Instagram read receipts by mid, and skips echoes and deletions', () => {
    const events = parsePageWebhook(fixture('instagram', 'messages'), instagram);
    expect(events).toEqual([
      expect.objectContaining({ type: 'message', identityKind: 'instagram', from: '1254459154682919', text: 'do you have it in blue?', at: 1569262485349 }),
      expect.objectContaining({
        providerMessageId: 'ig_REPLY1', text: 'this one', inReplyTo: ['ig_OUT0'],
        attachments: [{ url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1', contentType: 'video/*' }],
      }),
      { type: 'status', providerMessageId: 'ig_OUT1', status: 'read', at: 1569262486000 },
    ]);
  });
});

// The WhatsApp wire format of outbound messages.
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../types.js';
import { mediaTypeOf, whatsAppPayloads } from './send.js';

const message = (extra: Partial<OutboundMessage>): OutboundMessage => ({ messageId: 'msg-1', to: '+51 987 654 321', text: 'Hello', ...extra });

describe('whatsAppPayloads', () => {
  it('sends text to the digits of the number, with the reply context', () => {
    expect(whatsAppPayloads(message({ inReplyTo: 'wamid.IN1' }))).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '51987654321',
        context: { message_id: 'wamid.IN1' },
        biz_opaque_callback_data: 'msg-1',
        type: 'text',
        text: { body: 'Hello', preview_url: false },
      },
    ]);
  });

  it('sends a template with its language and components', () => {
    const [payload] = whatsAppPayloads(message({ template: { name: 'order_ready', language: 'es_PE', components: [{ type: 'body', parameters: [{ type: 'text', text: '42' }] }] } }));
    expect(payload).toMatchObject({ type: 'template', template: { name: 'order_ready', language: { code: 'es_PE' }, components: [{ type: 'body' }] } });
  });

  it('sends media by link, typed by content type; the text rides as the caption', () => {
    const payloads = whatsAppPayloads(message({ attachments: [{ url: 'https://x.test/a.pdf', contentType: 'application/pdf', filename: 'a.pdf' }, { url: 'https://x.test/p.png' }] }));
    expect(payloads).toEqual([
      expect.objectContaining({ type: 'document', document: { link: 'https://x.test/a.pdf', caption: 'Hello', filename: 'a.pdf' } }),
      expect.objectContaining({ type: 'image', image: { link: 'https://x.test/p.png' } }),
    ]);
  });

  it('sends the text separately when the media cannot carry a caption (audio)', () => {
    const payloads = whatsAppPayloads(message({ attachments: [{ url: 'https://x.test/v.ogg', contentType: 'audio/ogg' }] }));
    expect(payloads.map((p) => p.type)).toEqual(['text', 'audio']);
    expect(payloads[1]).toMatchObject({ audio: { link: 'https://x.test/v.ogg' } });
  });

  it('picks the media type from the content type, then the extension', () => {
    expect(mediaTypeOf({ url: 'https://x.test/file', contentType: 'video/mp4' })).toBe('video');
    expect(mediaTypeOf({ url: 'https://x.test/photo.JPG?x=1' })).toBe('image');
    expect(mediaTypeOf({ url: 'https://x.test/archive.zip' })).toBe('document');
  });
});

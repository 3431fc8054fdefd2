// Lifeline's outbound message → WhatsApp Cloud API message bodies. Pure, so the wire format is unit-tested.
import type { Attachment, OutboundMessage } from '../types.js';

type MediaType = 'image' | 'video' | 'audio' | 'document';
type Payload = Record<string, unknown>;

const BY_EXTENSION: Record<string, MediaType> = {
  jpg: 'image', jpeg: 'image', png: 'image', webp: 'image',
  mp4: 'video', '3gp': 'video',
  mp3: 'audio', ogg: 'audio', opus: 'audio', aac: 'audio', amr: 'audio', m4a: 'audio',
};

/** By content type, else by the link's extension; anything else travels as a document. */
export function mediaTypeOf(attachment: Attachment): MediaType {
  const type = attachment.contentType?.toLowerCase() ?? '';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  if (type) return 'document';
  let path = attachment.url;
  try {
    path = new URL(attachment.url).pathname;
  } catch {
    // Not a URL: use it as it is.
  }
  const extension = path.split('.').pop()?.toLowerCase() ?? '';
  return BY_EXTENSION[extension] ?? 'document';
}

/** WhatsApp wants the international number as digits only: "+51 987 654 321" → "51987654321". */
export const waRecipient = (to: string): string => to.replace(/\D/g, '');

function base(message: OutboundMessage, withContext: boolean): Payload {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: waRecipient(message.to),
    // Answer in the customer's thread (shown as a quote in WhatsApp).
    ...(withContext && message.inReplyTo ? { context: { message_id: message.inReplyTo } } : {}),
    // Echoed back in statuses: ties a receipt to Lifeline's message even before the provider id is stored.
    biz_opaque_callback_data: message.messageId.slice(0, 512),
  };
}

function mediaPayload(message: OutboundMessage, attachment: Attachment, caption: string | null, withContext: boolean): Payload {
  const type = mediaTypeOf(attachment);
  const media: Payload = { link: attachment.url };
  // Audio has no caption in WhatsApp; documents also show their file name.
  if (caption && type !== 'audio') media.caption = caption;
  if (type === 'document' && attachment.filename) media.filename = attachment.filename;
  return { ...base(message, withContext), type, [type]: media };
}

/**
 * The Cloud API bodies for one Lifeline message, sent in order: a template alone; otherwise each attachment
 * (the first carries the text as caption when it can) and the text on its own when no caption could hold it.
 */
export function whatsAppPayloads(message: OutboundMessage): Payload[] {
  if (message.template) {
    const { name, language, components } = message.template;
    return [{ ...base(message, true), type: 'template', template: { name, language: { code: language }, ...(components ? { components } : {}) } }];
  }
  const attachments = message.attachments ?? [];
  const text = message.text.trim() ? message.text : '';
  const first = attachments[0];
  const captioned = Boolean(text && first && mediaTypeOf(first) !== 'audio');
  const payloads: Payload[] = [];
  if (text && !captioned) payloads.push({ ...base(message, true), type: 'text', text: { body: text, preview_url: /https?:\/\//.test(text) } });
  attachments.forEach((attachment, i) => {
    payloads.push(mediaPayload(message, attachment, i === 0 && captioned ? text : null, payloads.length === 0));
  });
  return payloads;
}

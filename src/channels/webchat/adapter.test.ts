import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../store/messages.js';
import { ProviderError } from '../types.js';
import { webchatConfigSchema } from './config.js';
import { contactPage, escapeHtml } from './contact-page.js';
import { toChatItem } from './history.js';
import { webchatHub } from './hub.js';
import { chatText, webchatAdapter } from './index.js';
import { newVisitorId } from './token.js';

const ctx = { channelId: 'ch_unit', config: {}, webhookUrl: 'https://l.example/webhooks/ch_unit', publicUrl: 'https://l.example' };

describe('webchat config', () => {
  it('normalises origins and refuses paths, non-http schemes and colour names', () => {
    expect(webchatConfigSchema.parse({ allowedOrigins: ['https://Shop.example/', 'http://localhost:8080'] }).allowedOrigins).toEqual([
      'https://shop.example',
      'http://localhost:8080',
    ]);
    expect(webchatConfigSchema.safeParse({ allowedOrigins: ['https://shop.example/contact'] }).success).toBe(false);
    expect(webchatConfigSchema.safeParse({ allowedOrigins: ['ftp://shop.example'] }).success).toBe(false);
    expect(webchatConfigSchema.safeParse({ color: 'red' }).success).toBe(false);
    expect(webchatConfigSchema.safeParse({ color: '#0A7D5A' }).success).toBe(true);
    expect(webchatConfigSchema.safeParse({ secret: 'x' }).success).toBe(false);
  });
});

describe('webchat adapter send', () => {
  it('pushes to a connected visitor and returns the message id as the provider id', async () => {
    const visitorId = newVisitorId();
    const received: string[] = [];
    const detach = webchatHub.attach('ch_unit', visitorId, { send: (d) => void received.push(d) })!;
    const result = await webchatAdapter.send(ctx, { messageId: 'msg_1', to: visitorId, text: 'Hola' });
    detach();
    expect(result).toEqual({ providerMessageId: 'msg_1' });
    expect(JSON.parse(received[0]!)).toMatchObject({ type: 'message', id: 'msg_1', text: 'Hola', direction: 'outbound' });
  });

  it('accepts a reply for a visitor who is away (the widget loads it on return)', async () => {
    await expect(webchatAdapter.send(ctx, { messageId: 'msg_2', to: newVisitorId(), text: 'Hola' })).resolves.toEqual({ providerMessageId: 'msg_2' });
  });

  it('refuses recipients that are not visitor ids, and messages without text', async () => {
    await expect(webchatAdapter.send(ctx, { messageId: 'm', to: '+51987654321', text: 'x' })).rejects.toMatchObject({ category: 'invalid_recipient' });
    const error = await webchatAdapter.send(ctx, { messageId: 'm', to: newVisitorId(), text: ' ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it('sends attachments as links', () => {
    expect(chatText({ text: 'Tu boleta', attachments: [{ url: 'https://x.example/b.pdf', filename: 'boleta.pdf' }] })).toBe('Tu boleta\nboleta.pdf: https://x.example/b.pdf');
  });
});

describe('visitor history items', () => {
  const base: TimelineItem = {
    id: 'msg_1', contactId: 'c', channelId: 'ch', conversationId: null, direction: 'inbound', channel: 'webchat', body: 'hola',
    attachments: [], providerMessageId: 'client-1', status: 'received', errorCategory: null, errorExplanation: null, authorUserId: null, createdAt: 5, updatedAt: 5,
  };

  it("shows this chat's messages by the widget's ids, never notes, other channels or unsent replies", () => {
    expect(toChatItem(base, 'ch')).toEqual({ id: 'client-1', text: 'hola', at: 5, direction: 'inbound' });
    expect(toChatItem({ ...base, direction: 'outbound', providerMessageId: 'msg_9', status: 'delivered' }, 'ch')).toMatchObject({ id: 'msg_9', direction: 'outbound' });
    expect(toChatItem({ ...base, direction: 'note', channelId: null }, 'ch')).toBeNull();
    expect(toChatItem({ ...base, direction: 'note' }, 'ch')).toBeNull();
    expect(toChatItem({ ...base, channelId: 'whatsapp-channel' }, 'ch')).toBeNull();
    expect(toChatItem({ ...base, direction: 'outbound', status: 'queued' }, 'ch')).toBeNull();
    expect(toChatItem({ ...base, direction: 'outbound', status: 'failed' }, 'ch')).toBeNull();
  });
});

describe('contact page', () => {
  it('escapes the title and loads the widget as an external script only', () => {
    const html = contactPage('ch_1', { title: '<img src=x onerror=alert(1)> & Co' });
    expect(html).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &amp; Co</title>');
    expect(html).not.toContain('<img');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/widget/v1/widget.js" data-channel="ch_1" data-mode="page" data-target="lifeline-chat" async>']);
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
  });
});

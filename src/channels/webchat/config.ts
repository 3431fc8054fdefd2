// The settings of a webchat channel: how the widget looks and which websites may embed it. No secrets: the widget
// runs in visitors' browsers, and visitor tokens are signed with the instance's own secret key.
import { z } from 'zod';
import { showOnContactPage } from '../public-handles.js';

/** An http(s) origin such as `https://shop.example`: what browsers send in the Origin header. */
const origin = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username && !value.endsWith('#') && !value.endsWith('?');
    } catch {
      return false;
    }
  }, 'write each website as an origin: scheme and host (and port if not the default), e.g. https://shop.example')
  .transform((value) => new URL(value).origin);

export const webchatConfigSchema = z.strictObject({
  /** Shown in the chat panel's header and as the contact page's title. */
  title: z.string().trim().min(1).max(80).optional(),
  /** The business's first words in the panel, before the visitor writes. */
  greeting: z.string().trim().min(1).max(500).optional(),
  /** Websites allowed to open chats; when unset, any website may embed the widget. */
  allowedOrigins: z.array(origin).max(50).optional(),
  /** The accent colour of the button and the visitor's bubbles. */
  color: z
    .string()
    .trim()
    .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, 'write the colour as a hex code such as #0a7d5a')
    .optional(),
  /** Where visitors reach Lifeline when it differs from LIFELINE_PUBLIC_URL (used in the embed snippet). */
  apiBaseUrl: z
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'use an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  showOnContactPage,
});

export type WebchatConfig = z.infer<typeof webchatConfigSchema>;

export const DEFAULT_TITLE = 'Chat with us';
export const DEFAULT_GREETING = 'Hi! Write to us here and we will answer as soon as we can.';

// WhatsApp Business Cloud API credentials, named as Meta names them in the app dashboard.
import { z } from 'zod';
import { DEFAULT_GRAPH_BASE_URL, DEFAULT_GRAPH_VERSION } from '../meta-graph/client.js';
import { publicPhoneNumber, showOnContactPage } from '../public-handles.js';

export const whatsAppConfigSchema = z.object({
  phoneNumberId: z.string().trim().regex(/^\d+$/, 'the Phone number ID from WhatsApp > API Setup (digits only)'),
  accessToken: z.string().trim().min(1),
  appSecret: z.string().trim().min(1),
  verifyToken: z.string().trim().min(1),
  apiBaseUrl: z.url().default(DEFAULT_GRAPH_BASE_URL),
  graphVersion: z.string().trim().regex(/^v\d+\.\d+$/, 'a Graph API version such as v25.0').default(DEFAULT_GRAPH_VERSION),
  wabaId: z.string().trim().regex(/^\d+$/).optional(),
  /** Public: the number customers write to, for wa.me links on the contact page. */
  displayPhoneNumber: publicPhoneNumber('the WhatsApp number').optional().describe('The number customers write to, e.g. +51987654321: the contact page links to wa.me with it.'),
  showOnContactPage,
});

export type WhatsAppConfig = z.output<typeof whatsAppConfigSchema>;

export const whatsAppSecretFields = ['accessToken', 'appSecret', 'verifyToken'] as const;

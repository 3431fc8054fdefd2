// The Viber channel's settings, in the Viber REST Bot API's own terms.
import { z } from 'zod';
import { showOnContactPage, viberAccountUri } from '../public-handles.js';

export const VIBER_API_BASE_URL = 'https://chatapi.viber.com';

export const viberConfigSchema = z.strictObject({
  authToken: z.string().trim().min(10, 'copy the bot\'s authentication token from the Viber Partners admin panel'),
  // Viber shows this name above every message; it allows at most 28 characters.
  senderName: z.string().trim().min(1).max(28, 'Viber allows at most 28 characters in the sender name').optional(),
  senderAvatar: z.url().optional(),
  apiBaseUrl: z.url().optional(),
  /** Public: the bot's URI, for viber://pa?chatURI= links on the contact page. */
  publicAccountUri: viberAccountUri.optional().describe('The bot\'s URI from the Viber admin panel: the contact page links to viber://pa?chatURI= with it.'),
  showOnContactPage,
});

export type ViberConfig = z.output<typeof viberConfigSchema>;

export function apiBaseOf(config: Pick<ViberConfig, 'apiBaseUrl'>): string {
  return (config.apiBaseUrl ?? VIBER_API_BASE_URL).replace(/\/+$/, '');
}

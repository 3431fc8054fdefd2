// The Instagram Direct channel through the Facebook Page linked to the Instagram professional account: the same
// Send API call as Messenger (`/{pageId}/messages`, Page token), `object: "instagram"` webhooks, IGSIDs as handles.
import { createPageMessagingAdapter, pageConfigSchema } from '../meta-graph/page-messaging.js';
import { instagramUsername } from '../public-handles.js';

export const instagramConfigSchema = pageConfigSchema.extend({
  /** Public: the account's username, for ig.me links on the contact page. */
  username: instagramUsername.optional().describe('The Instagram username customers know, e.g. @tienda.sol: the contact page links to ig.me with it.'),
});

export const instagramAdapter = createPageMessagingAdapter({
  kind: 'instagram',
  channelName: 'Instagram',
  object: 'instagram',
  maxTextLength: 1000,
  configSchema: instagramConfigSchema,
});

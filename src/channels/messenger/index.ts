// The Facebook Messenger channel: Page messaging over Meta's Graph API (shared with Instagram in meta-graph/).
import { createPageMessagingAdapter } from '../meta-graph/page-messaging.js';

export const messengerAdapter = createPageMessagingAdapter({ kind: 'messenger', channelName: 'Messenger', object: 'page', maxTextLength: 2000 });

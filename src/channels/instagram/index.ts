// The Instagram Direct channel through the Facebook Page linked to the Instagram professional account: the same
// Send API call as Messenger (`/{pageId}/messages`, Page token), `object: "instagram"` webhooks, IGSIDs as handles.
import { createPageMessagingAdapter } from '../meta-graph/page-messaging.js';

export const instagramAdapter = createPageMessagingAdapter({ kind: 'instagram', channelName: 'Instagram', object: 'instagram', maxTextLength: 1000 });

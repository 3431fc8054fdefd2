// Facebook Messenger simulator: the Send API on `/{version}/{pageId}/messages` or `/me/messages`, and
// `object: "page"` webhooks (messages, delivery and read watermarks). The shared logic is in meta-graph.ts.
import type { SandboxContext } from '../context.js';
import { createPageMessagingSimulator, type GraphSimulator } from './meta-graph.js';

export function createMessengerSimulator(ctx: SandboxContext): GraphSimulator {
  return createPageMessagingSimulator(ctx, {
    channel: 'messenger',
    object: 'page',
    maxTextLength: 2000,
    nodeInfo: (nodeId, account) => ({ name: account?.businessHandle ?? 'Lifeline Sandbox Page', id: nodeId }),
  });
}

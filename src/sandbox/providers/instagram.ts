// Instagram Messaging simulator: the same Send API as Messenger (addressed by the Instagram account id, or
// `/me` with the account's access token) and `object: "instagram"` webhooks. Shared logic in meta-graph.ts.
import type { SandboxContext } from '../context.js';
import { createPageMessagingSimulator, type GraphSimulator } from './meta-graph.js';

export function createInstagramSimulator(ctx: SandboxContext): GraphSimulator {
  return createPageMessagingSimulator(ctx, {
    channel: 'instagram',
    object: 'instagram',
    maxTextLength: 1000,
    nodeInfo: (nodeId, account) => ({
      id: nodeId,
      username: account?.businessHandle ?? 'lifeline.sandbox',
      name: 'Lifeline Sandbox',
    }),
  });
}

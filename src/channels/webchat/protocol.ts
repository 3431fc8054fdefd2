// The frames a webchat widget and Lifeline exchange over the visitor's WebSocket. The widget imports these types
// (type-only, so nothing of this file lands in its bundle); the server validates what visitors send with zod.
import { z } from 'zod';

export const MAX_TEXT = 4000;

/** The widget's own message id (a UUID): a resend after a reconnect is the same message, stored once. */
const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientId must be 8-64 letters, digits, - or _');

export const visitorFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('message'), clientId, text: z.string().trim().min(1).max(MAX_TEXT) }),
  z.strictObject({
    type: z.literal('identify'),
    name: z.string().trim().max(100).optional(),
    phone: z.string().trim().max(40).optional(),
    email: z.string().trim().max(200).optional(),
  }),
  z.strictObject({ type: z.literal('ack'), id: z.string().min(1).max(100) }),
]);

export type VisitorFrame = z.infer<typeof visitorFrameSchema>;

/** One line of the visitor's conversation. `id` is the widget's clientId for what the visitor wrote. */
export interface ChatItem {
  id: string;
  text: string;
  /** Epoch milliseconds. */
  at: number;
  direction: 'inbound' | 'outbound';
}

export type ServerFrame =
  | {
      type: 'welcome';
      visitorId: string;
      token: string;
      title: string;
      greeting: string;
      color: string | null;
      /** Open incidents' banners (plan B): a channel of the business that does not work now, and what to do. */
      notices?: { channelKind: string | null; kind: string; message: string }[];
    }
  | { type: 'history'; items: ChatItem[] }
  | ({ type: 'message' } & ChatItem)
  | { type: 'ack'; clientId: string }
  | { type: 'identified' }
  | { type: 'error'; code: string; message: string };

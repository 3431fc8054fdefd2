// Visitor credentials: a random visitor id and an HMAC of it, so a visitor can only ever speak as themselves and
// Lifeline keeps no table of visitors (the widget stores both in the visitor's browser).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 random bits, URL-safe: it is also the contact's `webchat` identity value. */
export function newVisitorId(): string {
  return `v_${randomBytes(16).toString('base64url')}`;
}

const VISITOR_ID = /^v_[A-Za-z0-9_-]{22}$/;

export function isVisitorId(value: string): boolean {
  return VISITOR_ID.test(value);
}

/** HMAC-SHA256 over channel and visitor: a token for one channel does not open another channel's chat. */
export function signVisitor(secretKey: Buffer, channelId: string, visitorId: string): string {
  return createHmac('sha256', secretKey).update(`webchat\n${channelId}\n${visitorId}`).digest('base64url');
}

export function verifyVisitor(secretKey: Buffer, channelId: string, visitorId: string, token: string): boolean {
  if (!isVisitorId(visitorId)) return false;
  const expected = Buffer.from(signVisitor(secretKey, channelId, visitorId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function issueVisitor(secretKey: Buffer, channelId: string): { visitorId: string; token: string } {
  const visitorId = newVisitorId();
  return { visitorId, token: signVisitor(secretKey, channelId, visitorId) };
}

import { describe, expect, it } from 'vitest';
import { addKind, kindsToAdd, moveKind, removeKind } from './channel-order';

describe('preferred channel order', () => {
  const order = ['whatsapp', 'telegram', 'twilio-sms'];

  it('moves a kind up and down by one place', () => {
    expect(moveKind(order, 'telegram', -1)).toEqual(['telegram', 'whatsapp', 'twilio-sms']);
    expect(moveKind(order, 'telegram', 1)).toEqual(['whatsapp', 'twilio-sms', 'telegram']);
  });

  it('leaves the list as it was at either end or for an unknown kind', () => {
    expect(moveKind(order, 'whatsapp', -1)).toEqual(order);
    expect(moveKind(order, 'twilio-sms', 1)).toEqual(order);
    expect(moveKind(order, 'email', 1)).toEqual(order);
  });

  it('adds at the end once and removes', () => {
    expect(addKind(order, 'email')).toEqual([...order, 'email']);
    expect(addKind(order, 'telegram')).toEqual(order);
    expect(removeKind(order, 'telegram')).toEqual(['whatsapp', 'twilio-sms']);
  });

  it('offers each workspace kind not yet listed, once', () => {
    expect(kindsToAdd(['email', 'whatsapp', 'email', 'viber'], order)).toEqual(['email', 'viber']);
  });
});

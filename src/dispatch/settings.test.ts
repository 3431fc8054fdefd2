import { describe, expect, it } from 'vitest';
import { quietHoursFor } from './settings.js';

describe('quietHoursFor', () => {
  const settings = { channelOrder: [], quietHours: { start: '21:00', end: '08:00' }, rateLimits: {} };

  it("uses the contact's time zone, else the workspace's", () => {
    expect(quietHoursFor(settings, 'Europe/Madrid', 'America/Lima')?.timezone).toBe('Europe/Madrid');
    expect(quietHoursFor(settings, null, 'America/Lima')?.timezone).toBe('America/Lima');
  });

  it("falls back to the workspace's zone when the contact's is not one, rather than stopping the message", () => {
    expect(quietHoursFor(settings, 'Mars/Olympus', 'America/Lima')?.timezone).toBe('America/Lima');
  });

  it('is null without quiet hours', () => {
    expect(quietHoursFor({ ...settings, quietHours: null }, 'Europe/Madrid', 'America/Lima')).toBeNull();
  });
});

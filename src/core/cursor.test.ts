import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('cursor', () => {
  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor({ at: 1700000000123, id: 'x-1' }))).toEqual({ at: 1700000000123, id: 'x-1' });
  });

  it('rejects cursors it did not make', () => {
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('{"at":1}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('["1","x"]').toString('base64url'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { rawNeedles } from './erasure.js';

describe('rawNeedles', () => {
  it('looks for phone numbers as providers write them, emails, handles and message ids, but not short ones', () => {
    expect(
      rawNeedles(
        [
          { kind: 'phone', value: '+51987654321' },
          { kind: 'email', value: 'ana@x.pe' },
          { kind: 'telegram', value: '1234' },
        ],
        ['wamid.ABC', null, 'wamid.ABC'],
      ),
    ).toEqual(['+51987654321', '51987654321', '%2B51987654321', 'ana@x.pe', 'wamid.ABC']);
  });
});

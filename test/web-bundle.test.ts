// The inbox must load fast on a shop's phone over a weak connection: everything index.html pulls in at first load
// stays under 300 KB gzipped (issue 5).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { requireBuiltWebApp } from './support/browser.js';

const WEB = join(import.meta.dirname, '..', 'dist', 'web');
const LIMIT = 300 * 1024;

describe('the built inbox', () => {
  it('loads under 300 KB gzipped, with no inline script', () => {
    requireBuiltWebApp();
    const html = readFileSync(join(WEB, 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    const total = assets.reduce((sum, asset) => sum + gzipSync(readFileSync(join(WEB, asset))).length, 0);
    expect(total).toBeLessThan(LIMIT);
    // The server's CSP allows scripts from 'self' only.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});

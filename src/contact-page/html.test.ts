import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from './html.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</title><script>alert(document.cookie)</script>',
  'Tom & Jerry&amp;',
];

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it.each(HOSTILE)('leaves no markup in %j', (name) => {
    const escaped = escapeHtml(name);
    expect(escaped).not.toMatch(/[<>"']/);
    // Every & left is the start of an entity this function wrote.
    expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
  });

  it('keeps text without special characters as it is, accents and emoji included', () => {
    expect(escapeHtml('Bodega Doña Marta 🍞')).toBe('Bodega Doña Marta 🍞');
  });
});

describe('html', () => {
  it('escapes interpolated strings, in content and in attributes', () => {
    const name = '"><script>alert(1)</script>';
    expect(html`<h1 title="${name}">${name}</h1>`.markup).toBe(
      '<h1 title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>',
    );
  });

  it('inserts nested html and trusted markup as they are, and joins arrays', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${trusted('<svg></svg>')}`.markup).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul><svg></svg>');
  });

  it('renders null, undefined and false as nothing, numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${7}]`.markup).toBe('[07]');
  });
});

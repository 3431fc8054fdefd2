// QR codes as inline SVG, drawn on the server: no script and no image request, so they show without JavaScript, under
// a strict CSP and on paper. One path of dark runs per row keeps the markup small. The SVG is labelled for screen
// readers (role="img" with aria-label and <title>), since a QR code says nothing to someone who cannot see it.
import QRCode from 'qrcode';
import { escapeHtml, type SafeHtml, trusted } from './html.js';

/** The quiet zone the QR standard asks for around the code, in modules. */
const QUIET_ZONE = 4;
/** Rendered codes by text and label; the same links are drawn for every visitor. Bounded, oldest out first. */
const cache = new Map<string, SafeHtml>();
const CACHE_LIMIT = 500;

/** The SVG of a QR code for `text`; `label` is what assistive technology reads for it. */
export function qrSvg(text: string, label: string): SafeHtml {
  const key = `${label}\u0000${text}`;
  const cached = cache.get(key);
  if (cached) return cached;
  // Level M survives a scuffed or badly printed flyer and keeps codes of long links small enough to scan.
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const view = size + 2 * QUIET_ZONE;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; ) {
      if (!modules.data[row * size + col]) {
        col++;
        continue;
      }
      let run = 1;
      while (col + run < size && modules.data[row * size + col + run]) run++;
      path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h${run}v1h-${run}z`;
      col += run;
    }
  }
  const name = escapeHtml(label);
  const svg = trusted(
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${view} ${view}" role="img" aria-label="${name}" shape-rendering="crispEdges">` +
      `<title>${name}</title><rect width="${view}" height="${view}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`,
  );
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, svg);
  return svg;
}

// The contact page's and flyer's stylesheet, served as a file (GET /c/-/contact-page.css) rather than inline, so the
// pages need nothing from the CSP beyond 'self'. Mobile first: one column, larger from 40rem; print rules for the
// flyer fit one A4 or Letter sheet (the smaller of each side: 210 × 279 mm).
import { createHash } from 'node:crypto';

export const CONTACT_PAGE_CSS = `
:root{--ink:#111827;--muted:#4b5563;--line:#d1d5db;--paper:#fff;--bg:#f3f4f6;--up:#0a6b34;--up-bg:#e7f6ec;--degraded:#7a4b00;--degraded-bg:#fff4d6;--down:#a4161a;--down-bg:#fde8e8;--accent:#0b5cad}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.wrap{max-width:48rem;margin:0 auto;padding:1rem}
.masthead{padding:1.5rem 1rem 0.5rem;max-width:48rem;margin:0 auto}
h1{margin:.25rem 0 .5rem;font-size:clamp(1.75rem,7vw,2.75rem);line-height:1.15;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
h3{font-size:1.15rem;margin:0}
.intro{margin:0;color:var(--muted)}
.notice{margin:1rem 0;padding:1rem 1.25rem;border:2px solid var(--down);border-left-width:.5rem;border-radius:.5rem;background:var(--down-bg)}
.notice h2{margin:0 0 .5rem;color:var(--down);overflow-wrap:anywhere}
.notice p{margin:.25rem 0}
.notice ul{margin:.5rem 0 0;padding-left:1.25rem}
.notice li{margin:.25rem 0}
.channels{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:1fr;gap:1rem}
.channel{display:grid;grid-template-columns:1fr auto;gap:.75rem;align-items:start;padding:1rem;border:1px solid var(--line);border-radius:.75rem;background:var(--paper)}
.channel-down{border-color:var(--down)}
.channel-text{min-width:0}
.channel-text p{margin:0 0 .5rem}
.channel-text>:last-child{margin-bottom:0}
.handle{margin:.15rem 0 .5rem;font-size:1.05rem;overflow-wrap:anywhere}
.status{display:inline-block;margin:0 0 .75rem;padding:.1rem .6rem;border-radius:999px;font-weight:600;font-size:.95rem}
.status-up{color:var(--up);background:var(--up-bg)}
.status-degraded{color:var(--degraded);background:var(--degraded-bg)}
.status-down{color:var(--down);background:var(--down-bg)}
.open{display:inline-block;min-height:2.75rem;padding:.6rem 1rem;border-radius:.5rem;background:var(--ink);color:#fff;font-weight:600;text-decoration:none}
.open:hover{background:#374151}
.channel .qr{width:6.5rem;height:6.5rem;display:block}
.hint{color:var(--muted);font-size:.95rem}
.page-footer{max-width:48rem;margin:1.5rem auto 5rem;padding:0 1rem;color:var(--muted);font-size:.9rem}
.page-footer p{margin:.35rem 0}
.error{max-width:36rem;margin:3rem auto;padding:1.5rem;background:var(--paper);border:1px solid var(--line);border-radius:.75rem}
@media (min-width:40rem){
  .channels{grid-template-columns:1fr 1fr}
  .channel .qr{width:7.5rem;height:7.5rem}
}
@media (prefers-color-scheme:dark){
  :root{--ink:#f3f4f6;--muted:#c3c8d0;--line:#374151;--paper:#1f2937;--bg:#111827;--up:#7ee2a8;--up-bg:#12351f;--degraded:#ffd27a;--degraded-bg:#3a2c07;--down:#ffb4b4;--down-bg:#3d1215;--accent:#8ec5ff}
  .open{background:#f3f4f6;color:#111827}
  .open:hover{background:#d1d5db}
  body.flyer{--ink:#111827;--muted:#4b5563;--line:#d1d5db;--paper:#fff;--bg:#6b7280;--accent:#0b5cad}
}

/* The flyer: a sheet on screen, the page itself on paper. */
body.flyer{background:var(--bg)}
.screen-only{max-width:190mm;margin:1rem auto;padding:0 1rem}
.sheet{width:100%;max-width:190mm;margin:0 auto 2rem;padding:12mm;background:#fff;color:#111827;box-shadow:0 1px 6px rgba(0,0,0,.2)}
.sheet h1{margin:0 0 4mm;font-size:clamp(2rem,9vw,40pt);text-align:center}
.flyer-lead{margin:0 0 6mm;font-size:18pt;text-align:center;font-weight:600}
.flyer-channels{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(40mm,1fr));gap:6mm}
.flyer-channels li{text-align:center;break-inside:avoid}
.flyer-channels .qr{width:42mm;height:42mm;max-width:100%}
.flyer-channels.many .qr{width:34mm;height:34mm}
.flyer-name{margin:1mm 0 0;font-size:15pt;font-weight:700}
.flyer-handle{margin:0;font-size:12pt;overflow-wrap:anywhere}
.flyer-page{display:flex;gap:6mm;align-items:center;margin-top:8mm;padding-top:6mm;border-top:1px solid #9ca3af;break-inside:avoid}
.flyer-page .qr{flex:none;width:30mm;height:30mm}
.flyer-page p{margin:0 0 2mm;font-size:12pt}
.flyer-url{font-size:14pt;font-weight:700;overflow-wrap:anywhere}
@page{margin:12mm}
@media print{
  body,body.flyer{background:#fff}
  .screen-only{display:none}
  .sheet{max-width:none;margin:0;padding:0;box-shadow:none}
  .sheet h1{font-size:40pt}
  a{color:inherit;text-decoration:none}
  .qr{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
`;

/** Content-addressed, so the page can link it with a long cache and a change still reaches every visitor. */
export const CONTACT_PAGE_CSS_VERSION = createHash('sha256').update(CONTACT_PAGE_CSS).digest('base64url').slice(0, 12);
export const CONTACT_PAGE_CSS_PATH = '/c/-/contact-page.css';
export const CONTACT_PAGE_CSS_HREF = `${CONTACT_PAGE_CSS_PATH}?v=${CONTACT_PAGE_CSS_VERSION}`;

// The widget's look, inside its shadow root so the host page's CSS cannot break it (nor it the page's).
// --ll-accent is set from the channel's colour.

export const CSS = `
:host{all:initial}
*{box-sizing:border-box}
.root{--ll-accent:#0a7d5a;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;background:var(--ll-accent);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:2px;right:2px;min-width:18px;height:18px;padding:0 5px;border-radius:9px;background:#dc2626;color:#fff;font-size:12px;line-height:18px}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:370px;height:560px;max-height:calc(100vh - 108px);background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}
.page .panel{position:static;width:100%;height:auto;max-height:none;flex:1;border-radius:0;box-shadow:none}
.page{display:flex;flex:1;min-height:100%}
[hidden]{display:none!important}
.head{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--ll-accent);color:#fff}
.head h2{flex:1;margin:0;font-size:16px;font-weight:600}
.status{font-size:12px;opacity:.9}
.close{border:0;background:transparent;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:0 4px}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}
.msg{max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg a{color:inherit}
.outbound{align-self:flex-start;background:#e5e7eb;border-bottom-left-radius:4px}
.inbound{align-self:flex-end;background:var(--ll-accent);color:#fff;border-bottom-right-radius:4px}
.meta{display:block;font-size:11px;opacity:.8;margin-top:2px;text-align:right}
.incident{background:#fdecea;color:#8e1b1b;font-size:13px;padding:8px 12px;border-bottom:1px solid #f5c2c0}.incident[hidden]{display:none}
.notice{align-self:center;font-size:12px;color:#4b5563;text-align:center}
.contact{padding:10px 14px;border-top:1px solid #e5e7eb;display:grid;gap:6px}
.contact p{margin:0;font-size:13px}
.contact .error{color:#b91c1c}
.row{display:flex;gap:6px}
input,textarea{font:inherit;color:inherit;border:1px solid #d1d5db;border-radius:8px;padding:8px 10px;width:100%;background:#fff}
input:focus,textarea:focus,button:focus-visible{outline:2px solid var(--ll-accent);outline-offset:1px}
.link{border:0;background:transparent;color:#374151;text-decoration:underline;font:inherit;font-size:13px;padding:6px 14px;text-align:left;cursor:pointer}
.compose{display:flex;gap:8px;padding:10px 14px;border-top:1px solid #e5e7eb;align-items:flex-end}
.compose textarea{resize:none;max-height:120px}
.btn{border:0;border-radius:8px;background:var(--ll-accent);color:#fff;font:inherit;padding:8px 14px;cursor:pointer}
.btn.secondary{background:#e5e7eb;color:#111827}
@media (max-width:480px){.root:not(.page) .panel{right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}}
@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}
`;

/** Constructable stylesheets where supported (they are not blocked by a site's style-src); a <style> otherwise. */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = CSS;
  root.appendChild(style);
}

// The business's public contact page (/contact/{channelId}): the chat full-page, reachable even when every social
// platform is down. No inline script, so it runs under the server's `script-src 'self'` policy.
import { DEFAULT_TITLE, type WebchatConfig } from './config.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function contactPage(channelId: string, config: Pick<WebchatConfig, 'title'>): string {
  const title = escapeHtml(config.title ?? DEFAULT_TITLE);
  const id = escapeHtml(channelId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>
html,body{height:100%;margin:0}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827;display:flex;flex-direction:column}
main{flex:1;display:flex;flex-direction:column;width:100%;max-width:640px;margin:0 auto;min-height:0}
#lifeline-chat{flex:1;min-height:0;display:flex}
noscript p{padding:1rem}
</style>
</head>
<body>
<main>
<div id="lifeline-chat" aria-label="${title}"></div>
<noscript><p>This chat needs JavaScript. Turn it on in your browser to write to us.</p></noscript>
</main>
<script src="/widget/v1/widget.js" data-channel="${id}" data-mode="page" data-target="lifeline-chat" async></script>
</body>
</html>
`;
}

// The contact page (/c/{slug}), its printable flyer (/c/{slug}/flyer) and the page for an unknown address, as HTML.
// Pure and server-rendered: readable with JavaScript off (only the optional chat widget needs it), no inline script
// or style attribute (the server's CSP allows neither), every value escaped by `html`, landmarks and headings for
// screen readers, and the channel's state in words, never by colour alone.
import { type DeepLink } from './deep-links.js';
import { html, type SafeHtml } from './html.js';
import type { Language } from './language.js';
import type { ContactPageModel, ListedChannel } from './model.js';
import { qrSvg } from './qr.js';
import { type PageStrings, publicChannelName, STRINGS } from './strings.js';
import { CONTACT_PAGE_CSS_HREF } from './styles.js';

const WIDGET_PATH = '/widget/v1/widget.js';
const STATUS_ICONS = { up: '●', degraded: '▲', down: '✕' } as const;

export interface RenderContext {
  lang: Language;
  /** When the page was made (epoch ms) and the business's time zone, for "Status as of 14:05". */
  now: number;
  timezone: string;
}

function document(lang: Language, title: string, bodyClass: string, body: SafeHtml, description?: string): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${description ? html`<meta name="description" content="${description}">` : null}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CONTACT_PAGE_CSS_HREF}">
</head>
<body class="${bodyClass}">
${body}
</body>
</html>
`.markup;
}

/** "14:05 GMT-5" in the business's time zone; UTC when the zone is not one the runtime knows. */
export function formatTime(now: number, lang: Language, timezone: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone: timezone }).format(now);
  } catch {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' }).format(now);
  }
}

/** The channel's name, with its handle when another listed channel has the same kind (two WhatsApp numbers). */
function nameOf(model: ContactPageModel, t: PageStrings, channel: { id: string; kind: string; link: DeepLink | null }): string {
  const name = publicChannelName(t, channel.kind);
  const twins = model.channels.filter((c) => c.kind === channel.kind && c.id !== channel.id).length;
  return twins > 0 && channel.link && channel.kind !== 'webchat' ? `${name} ${channel.link.handle}` : name;
}

function channelCard(model: ContactPageModel, t: PageStrings, channel: ListedChannel): SafeHtml {
  const name = publicChannelName(t, channel.kind);
  const headingId = `channel-${channel.id}`;
  return html`<li class="channel channel-${channel.status}">
<div class="channel-text">
<h3 id="${headingId}">${nameOf(model, t, channel)}</h3>
${channel.kind === 'webchat' ? null : html`<p class="handle">${channel.link.handle}</p>`}
<p class="status status-${channel.status}"><span class="status-icon" aria-hidden="true">${STATUS_ICONS[channel.status]}</span> ${t.statusLabel}: ${t.status[channel.status]}</p>
<p><a class="open" href="${channel.link.url}">${t.action(channel.kind, name)}</a></p>
${channel.kind === 'webchat' && channel.id === model.webchatChannelId ? html`<p class="hint">${t.chatHint}</p>` : null}
</div>
${qrSvg(channel.link.url, t.qrLabel(name, channel.link.handle))}
</li>`;
}

function notice(model: ContactPageModel, t: PageStrings): SafeHtml | null {
  if (model.outages.length === 0) return null;
  const names = [...new Set(model.outages.map((o) => nameOf(model, t, o)))];
  const alternatives = model.alternatives.map((c) => {
    const name = nameOf(model, t, c);
    const text = c.kind === 'webchat' ? `${name}: ${t.action(c.kind, name)}` : `${name}: ${c.link.handle}`;
    return html`<li><a href="${c.link.url}">${text}</a></li>`;
  });
  return html`<section class="notice" aria-labelledby="notice-heading">
<h2 id="notice-heading"><span aria-hidden="true">⚠ </span>${t.noticeHeading(names)}</h2>
${alternatives.length > 0 ? html`<p>${t.noticeInstead}</p>
<ul>${alternatives}</ul>` : html`<p>${t.noticeNoAlternative}</p>`}
</section>`;
}

export function renderContactPage(model: ContactPageModel, context: RenderContext): string {
  const t = STRINGS[context.lang];
  const body = html`<header class="masthead">
<h1>${model.business}</h1>
<p class="intro">${t.intro}</p>
</header>
<main class="wrap">
${notice(model, t)}
<section aria-labelledby="channels-heading">
<h2 id="channels-heading">${t.channelsHeading}</h2>
${model.channels.length > 0 ? html`<ul class="channels">${model.channels.map((c) => channelCard(model, t, c))}</ul>` : html`<p>${t.noChannels}</p>`}
</section>
</main>
<footer class="page-footer">
<p>${t.statusAsOf(formatTime(context.now, context.lang, context.timezone))}</p>
<p><a href="${model.flyerPath}">${t.flyerLink}</a></p>
<p>${t.poweredBy}</p>
</footer>
${model.webchatChannelId ? html`<script src="${WIDGET_PATH}" data-channel="${model.webchatChannelId}" async></script>` : null}`;
  return document(context.lang, t.pageTitle(model.business), 'contact-page', body, t.intro);
}

export function renderFlyer(model: ContactPageModel, context: Pick<RenderContext, 'lang'>): string {
  const t = STRINGS[context.lang];
  const pagePath = model.flyerPath.replace(/\/flyer$/, '');
  // The webchat's own address is long and the page below leads to the chat anyway: it is named there instead.
  const items = model.channels.filter((c) => c.kind !== 'webchat').map((c) => {
    const name = nameOf(model, t, c);
    return html`<li>
${qrSvg(c.link.url, t.qrLabel(name, c.link.handle))}
<p class="flyer-name">${name}</p>
<p class="flyer-handle">${c.link.handle}</p>
</li>`;
  });
  const shownUrl = model.pageUrl.replace(/^https?:\/\//, '');
  const body = html`<p class="screen-only">${t.flyerPrintHint} <a href="${pagePath}">${t.backToPage}</a></p>
<main class="sheet">
<h1>${model.business}</h1>
<p class="flyer-lead">${t.flyerLead}</p>
${items.length > 0 ? html`<ul class="flyer-channels${items.length > 4 ? ' many' : ''}">${items}</ul>` : model.channels.length === 0 ? html`<p>${t.noChannels}</p>` : null}
<div class="flyer-page">
${qrSvg(model.pageUrl, t.flyerPageQr(shownUrl))}
<div>
<p>${t.flyerPage(model.webchatChannelId !== null)}</p>
<p class="flyer-url">${shownUrl}</p>
</div>
</div>
</main>`;
  return document(context.lang, t.flyerTitle(model.business), 'flyer', body);
}

export function renderNotFound(path: string, context: Pick<RenderContext, 'lang'>): string {
  const t = STRINGS[context.lang];
  const body = html`<main class="error">
<h1>${t.notFoundTitle}</h1>
<p>${t.notFoundBody(path)}</p>
</main>`;
  return document(context.lang, t.notFoundTitle, 'contact-page', body);
}

// The widget's DOM: a floating button and a chat panel (or the panel alone, full-page, on the contact page).
// Built with plain DOM calls and textContent, so nothing a visitor or agent writes is ever parsed as HTML.
import type { ChatItem } from '../../src/channels/webchat/protocol.js';
import type { ConnectionState } from './connection.js';
import { applyStyles } from './styles.js';

export interface ContactDetails {
  name?: string;
  phone?: string;
  email?: string;
}

export interface ViewOptions {
  mode: 'float' | 'page';
  host: HTMLElement;
  onSend(text: string): void;
  onIdentify(details: ContactDetails): void;
  /** The visitor opened the panel (float mode): the moment to connect when not connected yet. */
  onOpen(): void;
}

export type Delivery = 'pending' | 'sent';

const SVG = 'http://www.w3.org/2000/svg';

/** Built with createElementNS, not innerHTML: sites enforcing Trusted Types refuse HTML strings. */
function chatIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  svg.append(path);
  return svg;
}
const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

type Attrs = Record<string, string | boolean>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children);
  return el;
}

/** Text with its links clickable (agents send order-tracking and payment links). */
function linkified(text: string): (Node | string)[] {
  const parts: (Node | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const index = match.index ?? 0;
    parts.push(text.slice(last, index), h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer' }, match[0]));
    last = index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

export class ChatView {
  private readonly root: HTMLDivElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly status: HTMLSpanElement;
  private readonly log: HTMLDivElement;
  private readonly greeting: HTMLDivElement;
  /** The business's plan-B banner while one of its channels is out ("WhatsApp is down: write to us here"). */
  private readonly incident: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly contactForm: HTMLFormElement;
  private readonly contactToggle: HTMLButtonElement;
  private readonly contactMessage: HTMLParagraphElement;
  private readonly bubbles = new Map<string, { el: HTMLDivElement; meta: HTMLSpanElement; delivery: Delivery | null }>();
  private connection: ConnectionState = 'connecting';
  private unread = 0;

  constructor(private readonly options: ViewOptions) {
    const shadow = options.host.attachShadow({ mode: 'open' });
    applyStyles(shadow);
    const page = options.mode === 'page';
    this.badge = h('span', { class: 'badge', hidden: true });
    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-controls': 'll-panel', hidden: page });
    this.launcher.append(chatIcon(), this.badge);
    this.title = h('h2', { id: 'll-title' }, 'Chat with us');
    this.status = h('span', { class: 'status', role: 'status' });
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close chat', hidden: page }, '×');
    this.greeting = h('div', { class: 'msg outbound' });
    this.incident = h('div', { class: 'incident', role: 'alert', hidden: true });
    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' }, this.greeting);
    this.input = h('textarea', { rows: '1', maxlength: '4000', 'aria-label': 'Message', placeholder: 'Write a message…' });
    const compose = h('form', { class: 'compose' }, this.input, h('button', { type: 'submit', class: 'btn' }, 'Send'));
    this.contactMessage = h('p', {}, 'Leave your phone or email so we can reach you if the chat is closed.');
    this.contactForm = this.buildContactForm();
    this.contactToggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, 'Leave your phone or email');
    this.panel = h(
      'section',
      { class: 'panel', id: 'll-panel', role: page ? 'region' : 'dialog', 'aria-labelledby': 'll-title', hidden: !page },
      h('div', { class: 'head' }, this.title, this.status, close),
      this.incident,
      this.log,
      this.contactForm,
      this.contactToggle,
      compose,
    );
    this.root = h('div', { class: page ? 'root page' : 'root' }, this.launcher, this.panel);
    shadow.append(this.root);

    this.launcher.addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));
    close.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !page) {
        event.stopPropagation();
        this.close();
      }
    });
    const submit = () => {
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      options.onSend(text);
    };
    this.input.addEventListener('keydown', (event) => {
      // Shift+Enter writes a new line; Enter while an IME composes a word belongs to the IME.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    compose.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    this.contactToggle.addEventListener('click', () => this.showContactForm(this.contactForm.hidden));
  }

  isOpen(): boolean {
    return !this.panel.hidden;
  }

  open(): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.launcher.setAttribute('aria-label', 'Close chat');
    this.unread = 0;
    this.badge.hidden = true;
    this.scrollDown();
    this.input.focus();
    this.options.onOpen();
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-label', 'Open chat');
    this.launcher.focus();
  }

  configure(settings: { title: string; greeting: string; color: string | null; notices?: { message: string }[] }): void {
    this.title.textContent = settings.title;
    this.greeting.textContent = settings.greeting;
    const notices = settings.notices ?? [];
    this.incident.textContent = notices.map((n) => n.message).join(' ');
    this.incident.hidden = notices.length === 0;
    if (settings.color) this.root.style.setProperty('--ll-accent', settings.color);
  }

  /** Replaces the conversation with the server's history and what is still waiting to be sent. */
  reset(items: ChatItem[], pending: ChatItem[]): void {
    for (const { el } of this.bubbles.values()) el.remove();
    this.bubbles.clear();
    for (const item of items) this.show(item, item.direction === 'inbound' ? 'sent' : null, false);
    for (const item of pending) this.show(item, 'pending', false);
    this.scrollDown();
  }

  /** Adds a message, or updates its delivery when already shown. */
  show(item: ChatItem, delivery: Delivery | null, live = true): void {
    const existing = this.bubbles.get(item.id);
    if (existing) return this.setDelivery(item.id, delivery ?? existing.delivery);
    const meta = h('span', { class: 'meta' });
    const el = h('div', { class: `msg ${item.direction}`, title: new Date(item.at).toLocaleString() }, ...linkified(item.text));
    if (item.direction === 'inbound') el.append(meta);
    this.log.append(el);
    this.bubbles.set(item.id, { el, meta, delivery });
    this.setDelivery(item.id, delivery);
    if (live && item.direction === 'outbound' && !this.isOpen()) {
      this.unread += 1;
      this.badge.textContent = String(this.unread);
      this.badge.hidden = false;
    }
    this.scrollDown();
  }

  setDelivery(id: string, delivery: Delivery | null): void {
    const bubble = this.bubbles.get(id);
    if (!bubble) return;
    bubble.delivery = delivery;
    bubble.el.dataset.delivery = delivery ?? '';
    bubble.meta.textContent = delivery === 'sent' ? 'Sent' : delivery === 'pending' ? (this.connection === 'online' ? 'Sending…' : 'Waiting for connection…') : '';
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    const labels: Record<ConnectionState, string> = { connecting: 'Connecting…', online: '', offline: 'Offline: messages will be sent when you are back', refused: 'Chat unavailable on this website' };
    this.status.textContent = labels[state];
    for (const [id, bubble] of this.bubbles) if (bubble.delivery === 'pending') this.setDelivery(id, 'pending');
  }

  notice(text: string): void {
    this.log.append(h('div', { class: 'notice', role: 'status' }, text));
    this.scrollDown();
  }

  contactSaved(): void {
    this.showContactForm(false);
    this.contactToggle.textContent = 'Thanks! Update your phone or email';
    this.notice('Thanks: we will reach you there if the chat is closed.');
  }

  contactError(message: string): void {
    this.showContactForm(true);
    this.contactMessage.textContent = message;
    this.contactMessage.className = 'error';
  }

  private buildContactForm(): HTMLFormElement {
    const name = h('input', { name: 'name', autocomplete: 'name', 'aria-label': 'Your name', placeholder: 'Name (optional)', maxlength: '100' });
    const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel', 'aria-label': 'Phone', placeholder: 'Phone', maxlength: '40' });
    const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', 'aria-label': 'Email', placeholder: 'Email', maxlength: '200' });
    const cancel = h('button', { type: 'button', class: 'btn secondary' }, 'Cancel');
    const form = h('form', { class: 'contact', hidden: true, 'aria-label': 'Your contact details' }, this.contactMessage, name, h('div', { class: 'row' }, phone, email), h('div', { class: 'row' }, h('button', { type: 'submit', class: 'btn' }, 'Save'), cancel));
    cancel.addEventListener('click', () => this.showContactForm(false));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const details: ContactDetails = {};
      if (name.value.trim()) details.name = name.value.trim();
      if (phone.value.trim()) details.phone = phone.value.trim();
      if (email.value.trim()) details.email = email.value.trim();
      if (!details.phone && !details.email) return this.contactError('Write a phone number or an email address.');
      this.options.onIdentify(details);
    });
    return form;
  }

  private showContactForm(show: boolean): void {
    this.contactForm.hidden = !show;
    this.contactToggle.hidden = show;
    this.contactToggle.setAttribute('aria-expanded', String(show));
    if (show) this.contactForm.querySelector('input')?.focus();
    else this.input.focus();
  }

  private scrollDown(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

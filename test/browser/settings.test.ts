// The inbox's Settings screens in a real browser (Debian's chromium driven by playwright-core) against a real Lifeline
// and the provider sandbox: adding a Telegram channel through the form generated from its credential fields, the
// webhook URL to paste, the connection test, an API key shown once and working, the channel order saved from the
// keyboard, the team, read-only settings for agents, Spanish and the phone-width layout.
// Needs the built app (`npx vite build web`, done by `npm test`), which Lifeline serves at /.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

type Playwright = typeof import('playwright-core');
type Browser = Awaited<ReturnType<Playwright['chromium']['launch']>>;
type BrowserContext = Awaited<ReturnType<Browser['newContext']>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p));
const playwright: Playwright | null = await import('playwright-core').catch(() => null);
const skip = !playwright || !CHROMIUM;
if (skip) {
  console.warn(
    `NOTICE: browser tests of the settings screens are SKIPPED: ${!playwright ? 'playwright-core is not installed (add it as a devDependency)' : 'no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)'}.`,
  );
}

const WEB_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
const PASSWORD = 'password1';
const BOT_TOKEN = '7000000001:AAE-settings_bot';

interface ChannelItem { id: string; kind: string; name: string; state: string; webhookUrl: string }
interface WorkspaceView { name: string; defaultRegion: string | null; settings: { channelOrder: string[]; quietHours?: { start: string; end: string } | null } }
interface UserItem { id: string; email: string; name: string; role: string; disabled: boolean }

describe.skipIf(skip)('settings screens in chromium', () => {
  let server: LiveServer;
  let browser: Browser;
  let ownerEmail: string;
  let ownerSession: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;

  beforeAll(async () => {
    if (!existsSync(WEB_INDEX)) throw new Error('The inbox web app is not built: run `npx vite build web` (npm test does it) before this test.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startLiveServer();
    ownerEmail = (await server.data.users.list()).find((u) => u.role === 'owner')!.email;
    browser = await playwright!.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Script errors fail the test; refused API calls (the test provokes some) and live-socket retries do not. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(message.text())) errors.push(message.text());
    });
    return errors;
  }

  /**
   * A browser signed in on a settings page. The owner signs in through the form once; later windows reuse that
   * session cookie, as a returning browser would (sign-in is rate-limited to 5 attempts per 20 s).
   */
  async function signedIn(options: { email?: string; password?: string; width?: number; height?: number; path?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const reuse = !options.email && ownerSession;
    const context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: options.width ?? 1200, height: options.height ?? 900 },
      ...(reuse ? { storageState: ownerSession } : {}),
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}${options.path ?? '/settings/channels'}`);
    if (!reuse) {
      await page.getByLabel('Email').fill(options.email ?? ownerEmail);
      await page.getByLabel('Password').fill(options.password ?? PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    if (!options.email && !ownerSession) ownerSession = await context.storageState();
    return { context, page, errors };
  }

  const channels = async () => (await server.api<{ items: ChannelItem[] }>('GET', '/api/v1/channels')).body.items;
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}settings-${name}.png` });

  it('adds a Telegram channel through the generated form, shows its webhook URL, tests, pauses and deletes', { timeout: 90_000 }, async () => {
    const { context, page, errors } = await signedIn();
    await page.getByRole('button', { name: 'Add a channel' }).click();
    await page.getByLabel('Kind of channel').selectOption('telegram');
    const form = page.getByRole('form', { name: 'Telegram settings' });
    const token = form.getByLabel(/^Bot token/);
    // Secret fields are password inputs; required ones are marked.
    expect(await token.getAttribute('type')).toBe('password');
    expect(await token.getAttribute('required')).not.toBeNull();
    await expect.poll(() => form.locator('label', { hasText: /^Bot token/ }).textContent()).toContain('(required)');
    await form.getByLabel(/^API base URL/).fill(server.sandbox.url);

    // A token Telegram cannot have: the server's message appears next to that field, which gets the focus.
    await token.fill('not-a-token');
    await form.getByRole('button', { name: 'Connect Telegram' }).click();
    await form.getByText('a bot token looks like').first().waitFor();
    expect(await token.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => token.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await channels()).toEqual([]);
    await shot(page, 'channel-form-error');

    await token.fill(BOT_TOKEN);
    await form.getByRole('button', { name: 'Connect Telegram' }).click();
    const created = page.getByTestId('channel-created');
    await created.waitFor();
    const [channel] = await channels();
    expect(channel).toMatchObject({ kind: 'telegram', name: 'Telegram', state: 'active' });
    expect(channel!.webhookUrl).toBe(`${server.url}/webhooks/${channel!.id}`);
    // Lifeline called setWebhook itself: the page does not ask the owner to paste anything.
    await created.getByText('Lifeline gave this webhook URL to the provider itself: nothing to paste.').waitFor();
    expect(await created.getByRole('textbox', { name: 'Webhook URL (Lifeline registered it with the provider)' }).inputValue()).toBe(channel!.webhookUrl);
    await created.getByRole('button', { name: 'Copy Webhook URL (Lifeline registered it with the provider)' }).click();
    await created.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(channel!.webhookUrl);
    // The sandbox's Telegram was told the same URL by setWebhook.
    const accounts = await server.sandboxApi<{ items: { channel: string; account: string; webhookUrl: string | null }[] }>('GET', '/_sandbox/accounts');
    expect(accounts.body.items.find((a) => a.channel === 'telegram' && a.account === BOT_TOKEN)?.webhookUrl).toBe(channel!.webhookUrl);
    await shot(page, 'channel-created');
    await created.getByRole('button', { name: 'Done' }).click();

    const item = page.getByRole('listitem', { name: 'Telegram · Telegram' });
    expect(await item.getByRole('textbox', { name: 'Webhook URL (Lifeline registered it with the provider)' }).inputValue()).toBe(channel!.webhookUrl);
    await item.getByRole('button', { name: 'Test connection of Telegram · Telegram' }).click();
    await item.getByRole('status').filter({ hasText: 'Connection works. @sandbox_7000000001_bot' }).waitFor();

    // The provider refuses the token: the result says so in plain language.
    await server.fault('telegram', { mode: 'auth' });
    await item.getByRole('button', { name: 'Test connection of Telegram · Telegram' }).click();
    await item.getByRole('status').filter({ hasText: /Connection failed: .*BotFather/ }).waitFor();
    // Credentials to fix, not a restricted account: the card, the chip and the banner say which.
    await item.locator('.health-chip').filter({ hasText: 'credentials refused' }).waitFor();
    await page.locator('.health-strip .health-chip[data-channel="telegram"]').filter({ hasText: 'credentials refused' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'the provider refuses Lifeline’s credentials' }).waitFor();
    await shot(page, 'channel-test-failed');
    await server.sandboxApi('POST', '/_sandbox/reset');

    await item.getByRole('button', { name: 'Pause Telegram · Telegram' }).click();
    await item.getByRole('button', { name: 'Resume Telegram · Telegram' }).waitFor();
    expect((await channels())[0]!.state).toBe('paused');
    await item.getByRole('button', { name: 'Resume Telegram · Telegram' }).click();
    await item.getByRole('button', { name: 'Pause Telegram · Telegram' }).waitFor();
    expect((await channels())[0]!.state).toBe('active');

    // A new bot token and name through "Edit settings": the form starts from the saved settings, the secret empty.
    await item.getByRole('button', { name: 'Edit the settings of Telegram · Telegram' }).click();
    const edit = item.getByRole('form', { name: 'Telegram settings' });
    expect(await edit.getByLabel(/^API base URL/).inputValue()).toBe(server.sandbox.url);
    const savedToken = edit.getByLabel(/^Bot token/);
    expect(await savedToken.inputValue()).toBe('');
    expect(await savedToken.getAttribute('required')).toBeNull();
    expect(await savedToken.getAttribute('placeholder')).toBe('Saved · leave empty to keep it');
    await edit.locator('input[name="name"]').fill('Shop bot');
    await savedToken.fill('7000000002:AAE-settings_bot2');
    await shot(page, 'channel-edit');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    const renamed = page.getByRole('listitem', { name: 'Telegram · Shop bot' });
    await renamed.getByRole('status').filter({ hasText: 'Settings of Telegram · Shop bot saved. Lifeline uses them from the next message.' }).waitFor();
    await expect.poll(() => renamed.getByRole('button', { name: 'Edit the settings of Telegram · Shop bot' }).evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await server.api<{ config: Record<string, unknown> }>('GET', `/api/v1/channels/${channel!.id}`)).body.config).toMatchObject({ botToken: '••••bot2', apiBaseUrl: server.sandbox.url });
    // Lifeline registered the same webhook URL for the new bot.
    const afterEdit = await server.sandboxApi<{ items: { channel: string; account: string; webhookUrl: string | null }[] }>('GET', '/_sandbox/accounts');
    expect(afterEdit.body.items.find((a) => a.channel === 'telegram' && a.account === '7000000002:AAE-settings_bot2')?.webhookUrl).toBe(channel!.webhookUrl);
    await renamed.getByRole('button', { name: 'Test connection of Telegram · Shop bot' }).click();
    await renamed.getByRole('status').filter({ hasText: 'Connection works. @sandbox_7000000002_bot' }).waitFor();
    // Saved again with the token left empty: the token is kept.
    await renamed.getByRole('button', { name: 'Edit the settings of Telegram · Shop bot' }).click();
    await renamed.getByRole('form', { name: 'Telegram settings' }).getByRole('button', { name: 'Save changes' }).click();
    await renamed.getByRole('status').filter({ hasText: /saved/ }).waitFor();
    expect((await server.api<{ config: Record<string, unknown> }>('GET', `/api/v1/channels/${channel!.id}`)).body.config.botToken).toBe('••••bot2');

    // A channel whose name is markup shows it as text, and deleting asks first; Escape keeps the channel.
    const hostile = await server.createChannel('webchat', {}, '<img src=x onerror="window.__xss=1">');
    await page.reload();
    const hostileItem = page.getByRole('listitem', { name: 'Web chat · <img src=x onerror="window.__xss=1">' });
    await hostileItem.getByText('· <img src=x onerror="window.__xss=1">').waitFor();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    const deleteButton = hostileItem.getByRole('button', { name: /^Delete Web chat/ });
    await deleteButton.click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => deleteButton.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await channels()).map((c) => c.id)).toContain(hostile.id);
    await deleteButton.click();
    await hostileItem.getByRole('button', { name: 'Yes, delete' }).click();
    await hostileItem.waitFor({ state: 'detached' });
    expect((await channels()).map((c) => c.id)).not.toContain(hostile.id);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('creates an API key shown once, which works against the API until revoked', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await signedIn({ path: '/settings/api-keys' });
    await page.getByRole('heading', { name: 'API keys', level: 2 }).waitFor();
    await page.getByLabel('Name').fill('Online shop');
    await page.getByLabel('Role').selectOption('agent');
    await page.getByRole('button', { name: 'Create an API key' }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.getByText('it will not be shown again').waitFor();
    const key = await shown.getByRole('textbox', { name: 'The new API key' }).inputValue();
    expect(key.length).toBeGreaterThan(20);
    await shown.getByRole('button', { name: 'Copy The new API key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await shot(page, 'api-key-created');

    const contacts = (apiKey: string) => fetch(`${server.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${apiKey}` } });
    const answer = await contacts(key);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ items: [] });

    // Once dismissed, the key is gone from the page; the list shows only its prefix.
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    const item = page.getByRole('listitem', { name: 'Online shop' });
    await item.waitFor();
    expect(await page.content()).not.toContain(key);
    await item.getByRole('button', { name: 'Revoke Online shop' }).click();
    await item.getByRole('button', { name: 'Yes, revoke' }).click();
    await item.getByText('revoked', { exact: true }).waitFor();
    expect((await contacts(key)).status).toBe(401);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('saves the channel order changed from the keyboard, quiet hours, region and name', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await signedIn({ path: '/settings/workspace' });
    const before = (await server.api<WorkspaceView>('GET', '/api/v1/workspace')).body.settings.channelOrder;
    expect(before.slice(0, 2)).toEqual(['whatsapp', 'telegram']);

    // Keyboard only: focus "Move Telegram up", press Enter; at the top, focus stays on Telegram's other button.
    await page.getByRole('button', { name: 'Move Telegram up' }).focus();
    await page.keyboard.press('Enter');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    await expect.poll(focused).toBe('Move Telegram down');
    await page.getByRole('status').filter({ hasText: 'Telegram is now number 1' }).waitFor();
    // SMS two places up with Enter on the focused button.
    await page.getByRole('button', { name: 'Move SMS up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('Move SMS up');
    await page.keyboard.press('Enter');
    const shown = await page.locator('.channel-order li').evaluateAll((items) => items.map((li) => li.getAttribute('data-kind')));
    expect(shown.slice(0, 3)).toEqual(['telegram', 'whatsapp', 'viber']);
    const smsAt = before.indexOf('twilio-sms') - 2;
    expect(shown[smsAt]).toBe('twilio-sms');

    await page.getByLabel('Hold non-urgent messages during quiet hours').check();
    await page.getByLabel('From').fill('22:00');
    await page.getByLabel('Until').fill('07:30');
    await page.getByLabel('Country for phone numbers written without a country code').fill('es');
    await page.getByText('Spain').waitFor();
    await page.getByLabel('Business name').fill('Bodega Sol');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    const saved = (await server.api<WorkspaceView>('GET', '/api/v1/workspace')).body;
    expect(saved.settings.channelOrder).toEqual(shown);
    expect(saved.settings.quietHours).toEqual({ start: '22:00', end: '07:30' });
    expect(saved.defaultRegion).toBe('ES');
    expect(saved.name).toBe('Bodega Sol');
    // The session's workspace was reloaded: the header shows the new name.
    await page.getByText('Lifeline · Bodega Sol').waitFor();
    await shot(page, 'workspace');

    // A value the server refuses: its message is shown and nothing changes.
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'time zone' }).waitFor();
    expect((await server.api<{ timezone: string }>('GET', '/api/v1/workspace')).body.timezone).not.toBe('Mars/Olympus');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a person, changes their role and disables them; that person, as an agent, only reads', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await signedIn({ path: '/settings/team' });
    await page.getByRole('heading', { name: 'Team', level: 2 }).waitFor();
    const form = page.getByRole('region', { name: 'Add a person' });
    await form.getByLabel('Name').fill('Ana Quispe');
    await form.getByLabel('Email').fill('ana@example.com');
    await form.getByLabel('Password').fill('ana-password-1');
    await form.getByLabel('Role').selectOption('agent');
    await form.getByRole('button', { name: 'Add a person' }).click();
    await page.getByText('Ana Quispe was added and can sign in now.').waitFor();
    const ana = page.getByRole('listitem', { name: 'Ana Quispe' });
    await ana.waitFor();
    const users = async () => (await server.api<{ items: UserItem[] }>('GET', '/api/v1/users')).body.items;
    expect((await users()).find((u) => u.email === 'ana@example.com')).toMatchObject({ role: 'agent', disabled: false });
    await shot(page, 'team');

    await ana.getByLabel('Role of Ana Quispe').selectOption('admin');
    await expect.poll(async () => (await users()).find((u) => u.email === 'ana@example.com')?.role).toBe('admin');
    await ana.getByLabel('Role of Ana Quispe').selectOption('agent');
    await expect.poll(async () => (await users()).find((u) => u.email === 'ana@example.com')?.role).toBe('agent');

    // As an agent, Ana sees the channels and team without controls, and no API keys tab.
    await server.createChannel('webchat', {}, 'Web');
    // The owner sees the web chat's code for the website on its card.
    await page.goto(`${server.url}/settings/channels`);
    const web = page.getByRole('listitem', { name: 'Web chat · Web' });
    expect(await web.getByRole('textbox', { name: 'Code for your website' }).inputValue()).toMatch(/^<script src=".*\/widget\/v1\/widget\.js" data-channel="[^"]+" async><\/script>$/);
    expect(await web.getByRole('textbox', { name: /^Webhook URL/ }).count()).toBe(0);
    await page.goto(`${server.url}/settings/team`);
    await ana.waitFor();
    const asAgent = await signedIn({ email: 'ana@example.com', password: 'ana-password-1' });
    await asAgent.page.getByText('Only owners and admins can add or change channels.').waitFor();
    await asAgent.page.getByRole('listitem', { name: 'Web chat · Web' }).waitFor();
    expect(await asAgent.page.getByRole('button', { name: 'Add a channel' }).count()).toBe(0);
    expect(await asAgent.page.getByRole('button', { name: /^Test connection/ }).count()).toBe(0);
    expect(await asAgent.page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await asAgent.page.getByRole('link', { name: 'Team' }).click();
    await asAgent.page.getByText('Only owners and admins can add people or change roles.').waitFor();
    expect(await asAgent.page.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);

    // Ana changes her own password: the wrong current one is refused, the right one signs her out everywhere.
    const own = asAgent.page.getByRole('form', { name: 'Your password' });
    await own.getByLabel('Current password').fill('not-my-password');
    await own.getByLabel('New password', { exact: true }).fill('ana-password-2');
    await own.getByLabel('New password again').fill('ana-password-2');
    await own.getByRole('button', { name: 'Change password' }).click();
    await own.getByText('That is not your current password: nothing was changed.').waitFor();
    await own.getByLabel('Current password').fill('ana-password-1');
    await own.getByRole('button', { name: 'Change password' }).click();
    await asAgent.page.getByText('Password changed. Sign in again with the new one.').waitFor();
    const anaId = (await users()).find((u) => u.email === 'ana@example.com')!.id;
    expect(await server.data.users.hasPassword(anaId, 'ana-password-2')).toBe(true);
    await asAgent.page.getByRole('button', { name: 'Sign in again' }).click();
    await asAgent.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await asAgent.context.close();

    // Asked first: Cancel changes nothing, "Yes, disable" does.
    await ana.getByRole('button', { name: 'Disable Ana Quispe' }).click();
    await ana.getByText('Ana Quispe can no longer sign in and is signed out now; their notes and replies stay.').waitFor();
    await ana.getByRole('button', { name: 'Cancel' }).click();
    expect((await users()).find((u) => u.email === 'ana@example.com')?.disabled).toBe(false);
    await ana.getByRole('button', { name: 'Disable Ana Quispe' }).click();
    await ana.getByRole('button', { name: 'Yes, disable' }).click();
    await ana.getByRole('button', { name: 'Enable Ana Quispe' }).waitFor();
    expect((await users()).find((u) => u.email === 'ana@example.com')?.disabled).toBe(true);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a 375-px-wide phone screen, in English and Spanish', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await signedIn({ width: 375, height: 740 });
    const overflow = () =>
      page.evaluate(() => {
        const content = document.getElementById('content')!;
        return Math.max(document.documentElement.scrollWidth - window.innerWidth, content.scrollWidth - content.clientWidth);
      });
    const tabs = { channels: 'Channels', team: 'Team', 'api-keys': 'API keys', workspace: 'Workspace' };
    for (const [tab, name] of Object.entries(tabs)) {
      await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name, exact: true }).click();
      await page.waitForURL(`**/settings/${tab}`);
      await page.locator('.settings section h2').first().waitFor();
      expect(await overflow(), `horizontal overflow on ${tab}`).toBeLessThanOrEqual(0);
      await shot(page, `phone-${tab}`);
    }

    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { name: 'Ajustes', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Canales' }).click();
    await page.getByRole('heading', { name: 'Canales', level: 2 }).waitFor();
    await page.getByRole('textbox', { name: /^URL del webhook/ }).first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, 'phone-channels-es');
    await page.getByRole('button', { name: 'Añadir un canal' }).click();
    await page.getByLabel('Tipo de canal').selectOption('telegram');
    await page.getByLabel(/^Token del bot/).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, 'phone-add-channel-es');
    // Email's nested settings come as groups; the optional IMAP group says so.
    await page.getByLabel('Tipo de canal').selectOption('email');
    await page.getByRole('group', { name: 'Correo saliente (SMTP)' }).getByLabel(/^Servidor/).waitFor();
    await page.getByRole('group', { name: 'Correo entrante por IMAP (opcional)' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('group', { name: 'Correo saliente (SMTP)' }).screenshot({ path: `${SCREENSHOTS}settings-phone-email-smtp-es.png` });

    expect(errors).toEqual([]);
    await context.close();
  });
});

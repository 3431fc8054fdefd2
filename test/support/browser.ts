// Debian's chromium driven by playwright-core, for the browser tests. When either is missing the tests are skipped
// with a notice that says how to get them (`npm test` as root installs chromium through test-prerequisites.sh).
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Playwright = typeof import('playwright-core');
export type Browser = Awaited<ReturnType<Playwright['chromium']['launch']>>;
export type Page = Awaited<ReturnType<Browser['newPage']>>;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p));
const playwright: Playwright | null = await import('playwright-core').catch(() => null);

/** Why browser tests cannot run here, or null when they can. */
export const browserUnavailable: string | null = !playwright
  ? 'playwright-core is not installed (add it as a devDependency)'
  : !CHROMIUM
    ? 'no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)'
    : null;

export async function launchBrowser(): Promise<Browser> {
  if (browserUnavailable) throw new Error(browserUnavailable);
  return playwright!.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** The built inbox (dist/web) must exist: `npm test` builds it first; a single test file run needs `npm run build`. */
export function requireBuiltWebApp(): void {
  if (!existsSync(join(import.meta.dirname, '..', '..', 'dist', 'web', 'index.html'))) {
    throw new Error('The inbox web app is not built: run `npm run build` (npm test does it) before the browser tests.');
  }
}

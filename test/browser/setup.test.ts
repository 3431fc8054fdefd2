// First run in a real browser: a fresh Lifeline with nobody in it asks for the business and its owner, signs them
// in, and never offers the form again.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { type Browser, browserUnavailable, launchBrowser, requireBuiltWebApp, screenshot } from '../support/browser.js';
import { openTestStore } from '../support/databases.js';
import { freePort } from '../support/live-server.js';

describe.skipIf(browserUnavailable !== null)('first-run setup in chromium', { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltWebApp();
    const opened = await openTestStore('sqlite');
    close = opened.close;
    url = `http://127.0.0.1:${await freePort()}`;
    app = await buildApp({ store: opened.store, config: { publicUrl: url, secretKey: randomBytes(32) }, health: { monitor: false } });
    await app.listen({ host: '127.0.0.1', port: Number(new URL(url).port) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await close?.();
  });

  it('creates the business and its owner, signs in, then only offers sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.getByRole('heading', { name: 'Set up Lifeline' }).waitFor();
    await page.getByLabel('Business name').fill('Panadería Sol');
    await page.getByLabel(/Country for phone numbers/).fill('pe');
    await page.getByLabel('Your name').fill('Sol');
    await page.getByLabel('Email').fill('sol@panaderia.example');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    // The browser's own check stops a short password before it reaches the server.
    expect(await page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    await page.getByLabel('Password').fill('a long bakery password');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await page.getByRole('link', { name: 'Inbox' }).waitFor();
    await expect(page.locator('.brand').textContent()).resolves.toContain('Panadería Sol');
    await screenshot(page, 'setup-done');

    const workspace = await page.evaluate(async () => (await fetch('/api/v1/workspace')).json());
    expect(workspace).toMatchObject({ name: 'Panadería Sol', slug: 'panaderia-sol', defaultRegion: 'PE' });

    const other = await browser.newPage();
    await other.goto(`${url}/`);
    await other.getByRole('heading', { name: 'Sign in to Lifeline' }).waitFor();
    expect(await other.getByRole('heading', { name: 'Set up Lifeline' }).count()).toBe(0);

    // A wrong password, in a Spanish browser: said in Spanish.
    const spanish = await browser.newContext({ locale: 'es-PE' });
    const es = await spanish.newPage();
    await es.goto(`${url}/`);
    await es.getByRole('heading', { name: 'Entrar en Lifeline' }).waitFor();
    await es.getByLabel('Correo').fill('sol@panaderia.example');
    await es.getByLabel('Contraseña').fill('not the bakery password');
    await es.getByRole('button', { name: 'Entrar' }).click();
    await es.getByRole('alert').filter({ hasText: 'Correo o contraseña incorrectos.' }).waitFor();
    await spanish.close();
  });
});

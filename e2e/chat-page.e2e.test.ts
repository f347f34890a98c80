/**
 * The chat page in a real browser (Debian's Chromium driven by playwright-core) on the real
 * stack, as a user meets it: sign in, ask the chat for a reminder in 5 seconds, see the task
 * appear and the reminder arrive as a toast and a browser notification, see a task added through
 * the REST API appear live (task-updates → notifier → the page's stream), complete it from the
 * page. A screenshot of each step goes to e2e/output/chat-page/.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/dev-token.ts';
import { stackEnv } from './support/stack-env.ts';
import { type System, startSystem } from './support/system.ts';
import { until } from './support/wait.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(import.meta.dirname, 'output', 'chat-page');
const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-e2e-page-'));
const user = `page-${Date.now()}`;
let system: System;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let step = 0;

const shot = async (name: string, target: Page = page) => {
  step += 1;
  const file = join(OUT, `${String(step).padStart(2, '0')}-${name}.png`);
  await target.screenshot({ path: file, fullPage: true });
  return file;
};
const taskRow = (title: string) => page.locator('#task-list li.task', { hasText: title });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/provision/chromium.sh (scripts/test does)`);
  }
  mkdirSync(OUT, { recursive: true });
  system = await startSystem(stack, { logDir, env: { 'chat-api': { DEV_SIGN_IN: 'true' } } });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 1200, height: 800 }, timezoneId: 'Europe/Paris' });
  await context.grantPermissions(['notifications'], { origin: system.url['chat-api'] });
  // Records what the page shows as browser notifications (headless Chromium draws none).
  await context.addInitScript(`
    window.shownNotifications = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.shownNotifications.push({ title, body: (options && options.body) || '' });
      }
    };
  `);
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  console.log(`chat page e2e: screenshots in ${OUT}, logs in ${logDir}`);
});

describe('the chat page in a real browser', () => {
  it('signs in, and remembers the browser time zone', async () => {
    await page.goto(`${system.url['chat-api']}/`);
    await shot('sign-in');
    await page.getByLabel('Your name (development sign-in)').fill(user);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#who').textContent()).toBe(`Signed in as ${user}`);
    await until('the page stream to open', async () =>
      (await page.locator('body').getAttribute('data-stream')) === 'open' ? true : undefined,
    );
    const auth = await bearer(stack.jwtSecret, user);
    const prefs = await (await fetch(`${system.url['chat-api']}/v1/preferences`, { headers: auth })).json();
    expect(prefs).toMatchObject({ timezone: 'Europe/Paris' });
    await shot('signed-in');
  });

  it('takes "remind me to stretch in 5 seconds": the task appears, then the reminder toast and notification', async () => {
    await page.getByLabel('Message').fill('remind me to stretch in 5 seconds');
    await page.getByRole('button', { name: 'Send' }).click();
    await taskRow('stretch').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#chat-log .msg.bot').count()).toBeGreaterThan(0);
    await shot('task-from-chat');
    const toast = page.locator('#toasts .toast', { hasText: 'stretch' });
    await toast.waitFor({ timeout: 60_000 });
    await shot('reminder-toast');
    const shown = await page.evaluate('window.shownNotifications');
    expect(shown).toContainEqual({ title: 'Reminder', body: 'stretch' });
  });

  it('shows a task added through the REST API at once, and completes it from the page', async () => {
    const auth = await bearer(stack.jwtSecret, user);
    const title = `buy milk ${Date.now()}`;
    const before = await page.locator('#task-list li.task').count();
    const created = await fetch(`${system.url['chat-api']}/v1/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title, tags: ['shop'] }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string };
    // No reload, no polling by the page: only the stream's task frame makes it read the list.
    await taskRow(title).waitFor({ timeout: 20_000 });
    expect(await page.locator('#task-list li.task').count()).toBe(before + 1);
    await shot('task-from-api-live');

    await page.getByRole('button', { name: `Complete ${title}` }).click();
    await taskRow(title).waitFor({ state: 'detached', timeout: 15_000 });
    const after = await (
      await fetch(`${system.url['chat-api']}/v1/tasks/${task.id}`, { headers: auth })
    ).json();
    expect(after).toMatchObject({ status: 'completed' });
    await page.locator('#filters select[name="status"]').selectOption('completed');
    await taskRow(title).waitFor({ timeout: 10_000 });
    await shot('completed-filter-done');
  });

  it('fits a phone-sized screen', async () => {
    await page.locator('#filters select[name="status"]').selectOption('open');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow as number).toBeLessThanOrEqual(0);
    await shot('phone');
  });
});

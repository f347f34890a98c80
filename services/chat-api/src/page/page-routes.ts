/**
 * The chat page: one self-contained page served by chat-api itself (nothing from a CDN, nothing
 * fetched at run time): a chat window over `/v1/chat`, the user's tasks with filters, and
 * reminders arriving live from notifier's stream as a toast and, when the user allows it, a
 * browser notification.
 *
 * - `GET /` the page; `GET /page/chat-page.js` and `/page/chat-page.css` its script (a plain
 *   JavaScript module, type-checked with JSDoc: browsers do not strip TypeScript) and styles.
 * - `POST /dev/sign-in` (only with DEV_SIGN_IN=true, as `scripts/run` sets it): a user name gets
 *   a short-lived user token. With a real identity provider the page takes a bearer token instead.
 * - `POST /v1/stream-token` (a user's bearer): a stream-only token for the page's EventSource, so
 *   the user's token never goes into a URL.
 */
import { readFileSync } from 'node:fs';
import {
  AppError,
  signStreamToken,
  signUserToken,
  type UserAuthOptions,
  type UserVariables,
  valid,
} from '@todo/platform';
import { Hono } from 'hono';
import { html } from 'hono/html';
import * as v from 'valibot';

export interface PageOptions {
  auth: UserAuthOptions;
  /** Where browsers reach notifier (its stream) [http://127.0.0.1:3002]. */
  notifierUrl: string;
  /** DEV_SIGN_IN: a user name gets a token, no password. Development only [off]. */
  devSignIn: boolean;
  /** How long a dev sign-in token lasts [1 h]. */
  devTokenSeconds?: number;
}

const file = (name: string) => readFileSync(new URL(`./client/${name}`, import.meta.url), 'utf8');
const SCRIPT = file('chat-page.js');
const STYLES = file('chat-page.css');

export const SignInSchema = v.strictObject({
  user: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
  ),
});

/** The page's own rules: scripts and styles from this origin only, the stream from notifier. */
function securityHeaders(notifierUrl: string): Record<string, string> {
  const notifier = new URL(notifierUrl).origin;
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${notifier}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

export function pageRoutes(options: PageOptions) {
  const headers = securityHeaders(options.notifierUrl);
  const devSignIn = options.devSignIn ? 'true' : 'false';
  const app = new Hono<{ Variables: UserVariables }>();
  app.get('/', (c) => {
    for (const [k, val] of Object.entries(headers)) c.header(k, val);
    return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Todo chat</title>
<link rel="stylesheet" href="/page/chat-page.css">
<script type="module" src="/page/chat-page.js"></script>
</head>
<body data-dev-sign-in="${devSignIn}">
<header class="bar">
  <h1>Todo chat</h1>
  <p id="who" class="who" hidden></p>
  <button id="notify-permission" type="button" hidden>Turn on browser notifications</button>
  <button id="sign-out" type="button" hidden>Sign out</button>
</header>
<main>
  <section id="sign-in" aria-labelledby="sign-in-title" class="panel">
    <h2 id="sign-in-title">Sign in</h2>
    <form id="dev-sign-in" hidden>
      <label for="user-name">Your name (development sign-in)</label>
      <input id="user-name" name="user" autocomplete="username" required maxlength="64" pattern="[A-Za-z0-9._-]+">
      <button type="submit">Sign in</button>
    </form>
    <form id="token-sign-in">
      <label for="bearer-token">Or a bearer token from your identity provider</label>
      <input id="bearer-token" name="token" autocomplete="off" spellcheck="false">
      <button type="submit">Use token</button>
    </form>
    <p id="sign-in-error" class="error" role="alert"></p>
  </section>
  <div id="workspace" class="workspace" hidden>
    <section aria-labelledby="chat-title" class="panel chat">
      <h2 id="chat-title">Chat</h2>
      <ol id="chat-log" class="chat-log" aria-live="polite"></ol>
      <form id="chat-form" class="chat-form">
        <label for="chat-input" class="visually-hidden">Message</label>
        <input id="chat-input" name="message" autocomplete="off" maxlength="1000" required
          placeholder="remind me to stretch in 5 minutes">
        <button type="submit">Send</button>
      </form>
    </section>
    <section aria-labelledby="tasks-title" class="panel tasks">
      <h2 id="tasks-title">Tasks</h2>
      <form id="filters" class="filters">
        <label>Status
          <select name="status"><option value="open">Open</option><option value="completed">Done</option><option value="">All</option></select>
        </label>
        <label>Due
          <select name="due"><option value="">Any time</option><option value="overdue">Overdue</option><option value="today">Today</option><option value="week">Next 7 days</option></select>
        </label>
        <label>Tag <input name="tag" maxlength="32" autocomplete="off"></label>
      </form>
      <ul id="task-list" class="task-list"></ul>
      <p id="task-empty" class="muted" hidden>No tasks here.</p>
    </section>
  </div>
</main>
<div id="toasts" class="toasts" role="status" aria-live="polite"></div>
</body>
</html>`);
  });
  app.get('/page/chat-page.js', (c) => {
    c.header('cache-control', 'no-cache');
    c.header('x-content-type-options', 'nosniff');
    return c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  app.get('/page/chat-page.css', (c) => {
    c.header('cache-control', 'no-cache');
    c.header('x-content-type-options', 'nosniff');
    return c.body(STYLES, 200, { 'content-type': 'text/css; charset=utf-8' });
  });

  app.post('/dev/sign-in', valid('json', SignInSchema), async (c) => {
    if (!options.devSignIn) throw new AppError('not_found', 'development sign-in is off (DEV_SIGN_IN)');
    const ttlSeconds = options.devTokenSeconds ?? 3600;
    const token = await signUserToken({
      secret: options.auth.secret,
      sub: c.req.valid('json').user,
      ttlSeconds,
      ...(options.auth.issuer ? { issuer: options.auth.issuer } : {}),
      ...(options.auth.audience ? { audience: options.auth.audience } : {}),
    });
    c.header('cache-control', 'no-store');
    return c.json({ token, expires_at: new Date(Date.now() + ttlSeconds * 1000).toISOString() });
  });
  return app;
}

/** `POST /v1/stream-token`, mounted behind requireUser: a stream token no longer-lived than the bearer. */
export function streamTokenRoute(options: Pick<PageOptions, 'auth' | 'notifierUrl'>) {
  const streamUrl = new URL('/v1/notifications/stream', options.notifierUrl).toString();
  return new Hono<{ Variables: UserVariables }>().post('/', async (c) => {
    const { token, expiresAt } = await signStreamToken(options.auth, c.get('userId'), {
      notAfterMs: c.get('tokenExpiresAt'),
    });
    c.header('cache-control', 'no-store');
    return c.json({ token, expires_at: new Date(expiresAt).toISOString(), stream_url: streamUrl });
  });
}

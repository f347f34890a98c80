// @ts-check
/**
 * The chat page's script: a plain JavaScript module (browsers run no TypeScript), type-checked by
 * `tsc -b` through JSDoc (./tsconfig.json). It talks to chat-api on this origin and opens
 * notifier's stream with a stream-only token. The user token lives in sessionStorage, never in a
 * URL.
 *
 * @typedef {{ id: string, title: string, status: 'open' | 'completed', due_at: string | null,
 *   remind_at: string | null, tags: string[], priority: string, version: number }} Task
 * @typedef {{ id: string, task_id: string, title: string, remind_at: string, occurrence: string }} Notice
 */

const TOKEN_KEY = 'todo.token';

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}
const form = (/** @type {string} */ id) => /** @type {HTMLFormElement} */ (byId(id));
const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (byId(id));

/** @type {{ token: string | null, user: string | null, stream: EventSource | null, lastEventId: string,
 *   retryMs: number, refreshTimer: number | undefined, streamTimer: number | undefined }} */
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  user: null,
  stream: null,
  lastEventId: '',
  retryMs: 1000,
  refreshTimer: undefined,
  streamTimer: undefined,
};

/** The `sub` of a JWT, for the header line (the server checks the token; this only shows it). */
function userOf(/** @type {string} */ token) {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return String(JSON.parse(json).sub ?? '');
  } catch {
    return '';
  }
}

class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls chat-api with the user's token; a problem+json answer throws its detail (and the failing
 * field's path, when it names one).
 * @param {string} path @param {RequestInit & { json?: unknown }} [init]
 */
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (state.token) headers.set('authorization', `Bearer ${state.token}`);
  /** @type {RequestInit} */
  const request = { ...init, headers };
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    request.body = JSON.stringify(init.json);
  }
  const res = await fetch(path, request);
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) {
    const field = body?.errors?.[0];
    const why = field ? `${field.path}: ${field.message}` : (body?.detail ?? body?.title ?? res.statusText);
    if (res.status === 401) signOut(`Signed out: ${why}`);
    throw new ApiError(res.status, why);
  }
  return body;
}

// ---- sign-in --------------------------------------------------------------------------------

function showSignedIn() {
  const signedIn = Boolean(state.token);
  byId('sign-in').hidden = signedIn;
  byId('workspace').hidden = !signedIn;
  byId('sign-out').hidden = !signedIn;
  const who = byId('who');
  who.hidden = !signedIn;
  who.textContent = signedIn ? `Signed in as ${state.user}` : '';
  byId('notify-permission').hidden =
    !signedIn || !('Notification' in window) || Notification.permission !== 'default';
}

/** @param {string} token */
async function signIn(token) {
  state.token = token;
  state.user = userOf(token);
  sessionStorage.setItem(TOKEN_KEY, token);
  showSignedIn();
  try {
    await rememberTimeZone();
  } catch (err) {
    if (!state.token) return;
    console.warn('time zone not saved', err);
  }
  await refreshTasks();
  await openStream();
}

/** @param {string} [why] */
function signOut(why) {
  state.token = null;
  state.user = null;
  sessionStorage.removeItem(TOKEN_KEY);
  state.stream?.close();
  state.stream = null;
  clearTimeout(state.streamTimer);
  byId('chat-log').replaceChildren();
  byId('task-list').replaceChildren();
  byId('sign-in-error').textContent = why ?? '';
  showSignedIn();
}

/** The user's zone is set once, from the browser: the chat then reads "friday 9am" in it. */
async function rememberTimeZone() {
  const prefs = await api('/v1/preferences');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!prefs?.timezone && zone) await api('/v1/preferences', { method: 'PUT', json: { timezone: zone } });
}

form('dev-sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = byId('sign-in-error');
  error.textContent = '';
  try {
    const res = await fetch('/dev/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: input('user-name').value.trim() }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body?.errors?.[0]?.message ?? body?.detail ?? 'sign-in refused');
    await signIn(body.token);
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
  }
});

form('token-sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = input('bearer-token').value.trim();
  input('bearer-token').value = '';
  if (token) await signIn(token).catch((err) => (byId('sign-in-error').textContent = String(err.message)));
});

byId('sign-out').addEventListener('click', () => signOut());

// ---- chat -----------------------------------------------------------------------------------

/** @param {'you' | 'bot' | 'error'} who @param {string} text */
function say(who, text) {
  const item = document.createElement('li');
  item.className = `msg ${who}`;
  const label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent = who === 'you' ? 'You: ' : 'Bot: ';
  item.append(label, text);
  const log = byId('chat-log');
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

form('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = input('chat-input').value.trim();
  if (!message) return;
  input('chat-input').value = '';
  say('you', message);
  try {
    const answer = await api('/v1/chat', { method: 'POST', json: { message } });
    say('bot', answer.reply);
    scheduleRefresh(0);
  } catch (err) {
    say('error', err instanceof Error ? err.message : String(err));
  }
});

// ---- tasks ----------------------------------------------------------------------------------

/** The list's query from the filters: status, a due window in the browser's zone, a tag. */
function taskQuery() {
  const data = new FormData(form('filters'));
  const query = new URLSearchParams({ limit: '100' });
  const status = String(data.get('status') ?? '');
  if (status) query.set('status', status);
  const tag = String(data.get('tag') ?? '').trim();
  if (tag) query.set('tag', tag);
  const now = new Date();
  const due = String(data.get('due') ?? '');
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (due === 'overdue') query.set('due_before', now.toISOString());
  if (due === 'today') {
    query.set('due_after', startOfToday.toISOString());
    query.set('due_before', new Date(startOfToday.getTime() + 86_400_000).toISOString());
  }
  if (due === 'week') {
    query.set('due_after', now.toISOString());
    query.set('due_before', new Date(now.getTime() + 7 * 86_400_000).toISOString());
  }
  return query;
}

const when = (/** @type {string | null} */ iso) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';

/** @param {Task} task */
function taskItem(task) {
  const item = document.createElement('li');
  item.className = `task ${task.status}`;
  item.dataset.taskId = task.id;
  const text = document.createElement('div');
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = task.title;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = [
    task.due_at ? `due ${when(task.due_at)}` : '',
    task.remind_at ? `reminder ${when(task.remind_at)}` : '',
    ...task.tags.map((t) => `#${t}`),
  ]
    .filter(Boolean)
    .join(' · ');
  text.append(title, meta);
  item.append(text);
  if (task.status === 'open') {
    const done = document.createElement('button');
    done.type = 'button';
    done.textContent = 'Complete';
    done.setAttribute('aria-label', `Complete ${task.title}`);
    done.addEventListener('click', async () => {
      done.disabled = true;
      try {
        await api(`/v1/tasks/${task.id}/complete`, { method: 'POST' });
        scheduleRefresh(0);
      } catch (err) {
        done.disabled = false;
        toast('Could not complete', err instanceof Error ? err.message : String(err));
      }
    });
    item.append(done);
  }
  return item;
}

async function refreshTasks() {
  if (!state.token) return;
  /** @type {{ items: Task[] }} */
  const page = await api(`/v1/tasks?${taskQuery()}`);
  byId('task-list').replaceChildren(...page.items.map(taskItem));
  byId('task-empty').hidden = page.items.length > 0;
}

/** Many changes in a burst (a chat line, another tab) make one read of the list. */
function scheduleRefresh(delayMs = 150) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = window.setTimeout(() => {
    refreshTasks().catch((err) => console.warn('task list not refreshed', err));
  }, delayMs);
}

form('filters').addEventListener('change', () => scheduleRefresh(0));
form('filters').addEventListener('submit', (event) => event.preventDefault());

// ---- live reminders and task sync -----------------------------------------------------------

/** @param {string} title @param {string} body */
function toast(title, body) {
  const box = document.createElement('div');
  box.className = 'toast';
  const heading = document.createElement('strong');
  heading.textContent = title;
  const text = document.createElement('p');
  text.textContent = body;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Dismiss';
  close.addEventListener('click', () => box.remove());
  box.append(heading, text, close);
  byId('toasts').append(box);
  window.setTimeout(() => box.remove(), 15_000);
}

/** @param {Notice} notice */
function remind(notice) {
  toast('Reminder', notice.title);
  if ('Notification' in window && Notification.permission === 'granted') {
    new Notification('Reminder', { body: notice.title, tag: notice.id });
  }
}

byId('notify-permission').addEventListener('click', async () => {
  await Notification.requestPermission();
  showSignedIn();
});

/**
 * Opens notifier's stream with a fresh stream token (its URL is the only place a token appears,
 * and that token opens nothing else). The stream ends when the token expires: the page gets a new
 * one and resumes after the last notification it saw.
 */
async function openStream() {
  clearTimeout(state.streamTimer);
  state.stream?.close();
  state.stream = null;
  if (!state.token) return;
  let grant;
  try {
    grant = await api('/v1/stream-token', { method: 'POST' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    retryStream();
    return;
  }
  const url = new URL(grant.stream_url);
  url.searchParams.set('stream_token', grant.token);
  if (state.lastEventId) url.searchParams.set('last_event_id', state.lastEventId);
  const stream = new EventSource(url);
  state.stream = stream;
  stream.addEventListener('open', () => {
    state.retryMs = 1000;
    document.body.dataset.stream = 'open';
  });
  stream.addEventListener('notification', (event) => {
    const message = /** @type {MessageEvent<string>} */ (event);
    state.lastEventId = message.lastEventId;
    remind(JSON.parse(message.data));
  });
  stream.addEventListener('task', () => scheduleRefresh());
  stream.addEventListener('expired', () => {
    stream.close();
    void openStream();
  });
  stream.addEventListener('error', () => {
    document.body.dataset.stream = 'reconnecting';
    // EventSource retries a dropped connection itself; once it gives up (a 401 for an expired
    // token, a 429), a new token is fetched after a growing pause.
    if (stream.readyState === EventSource.CLOSED && state.stream === stream) retryStream();
  });
}

function retryStream() {
  clearTimeout(state.streamTimer);
  state.streamTimer = window.setTimeout(() => void openStream(), state.retryMs);
  state.retryMs = Math.min(state.retryMs * 2, 30_000);
}

// ---- start ----------------------------------------------------------------------------------

byId('dev-sign-in').hidden = document.body.dataset.devSignIn !== 'true';
if (state.token) {
  void signIn(state.token).catch((err) => signOut(String(err.message)));
} else {
  showSignedIn();
}

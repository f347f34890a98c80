import { TaskSchema } from '@todo/events';
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ChatRequestSchema, ChatResponseSchema } from '../chat/chat-schemas.ts';
import { SignInSchema } from '../page/page-routes.ts';
import { PreferencesSchema } from '../preferences/preferences-routes.ts';
import {
  CreateTaskSchema,
  ListTasksQuerySchema,
  PatchTaskSchema,
  SnoozeSchema,
} from '../tasks/task-schemas.ts';

const json = (schema: v.GenericSchema, typeMode: 'input' | 'output') =>
  toJsonSchema(schema, { errorMode: 'ignore', typeMode }) as Record<string, unknown>;

const problem = {
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
/** What every operation under /v1 can answer besides its success (the one error model). */
const errors = {
  '400': { description: 'Malformed request (bad JSON, query, path or header)', ...problem },
  '401': { description: 'Missing or invalid bearer token', ...problem },
  '404': { description: 'No such task for this user', ...problem },
  '405': { description: 'The path does not take this method (`Allow` lists those it does)', ...problem },
  '413': { description: 'The body is larger than 64 KiB', ...problem },
  '415': { description: 'Body is not application/json', ...problem },
  '422': {
    description: 'Validation failed; `errors` lists the failing fields with their paths (at most 20)',
    ...problem,
  },
  '429': {
    description:
      'A per-user quota is used up (`quota_exceeded`) or writes are too fast (`rate_limited`); see Retry-After',
    ...problem,
  },
  '431': { description: 'The request line and headers are over 16 KiB', ...problem },
  '500': { description: 'A bug: the request id identifies it in the logs', ...problem },
  '503': { description: 'A dependency (the database) is unavailable; see Retry-After', ...problem },
};
const taskResponse = {
  description: 'The task',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Task' } } },
};
const jsonObject = { content: { 'application/json': { schema: { type: 'object' } } } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const body = (ref: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

/** The OpenAPI 3.1 document of chat-api, generated from the same valibot schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const listQuery = json(ListTasksQuerySchema, 'input') as { properties?: Record<string, unknown> };
  return {
    openapi: '3.1.0',
    info: {
      title: 'todo-chatbot chat-api',
      version: '1.0.0',
      description:
        'Tasks and chat for the todo chatbot. Every route under /v1 needs `Authorization: Bearer <JWT>` (HS256, sub = user id).',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Task: json(TaskSchema, 'output'),
        CreateTask: json(CreateTaskSchema, 'input'),
        PatchTask: json(PatchTaskSchema, 'input'),
        Snooze: json(SnoozeSchema, 'input'),
        ChatRequest: json(ChatRequestSchema, 'input'),
        ChatResponse: json(ChatResponseSchema, 'output'),
        Preferences: json(PreferencesSchema, 'input'),
        DevSignIn: json(SignInSchema, 'input'),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/tasks': {
        post: {
          summary: 'Create a task',
          requestBody: body('CreateTask'),
          responses: { '201': taskResponse, ...errors },
        },
        get: {
          summary: "List the user's tasks, newest first",
          parameters: Object.entries(listQuery.properties ?? {}).map(([name, schema]) => ({
            name,
            in: 'query',
            schema,
          })),
          responses: {
            '200': {
              description: 'A page of tasks',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      items: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
                      next_cursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/tasks/{id}': {
        parameters: [idParam],
        get: { summary: 'Get a task', responses: { '200': taskResponse, ...errors } },
        patch: {
          summary: 'Change a task (If-Match: the ETag, optional)',
          requestBody: body('PatchTask'),
          responses: {
            '200': taskResponse,
            '412': { description: 'If-Match is stale', ...problem },
            ...errors,
          },
        },
        delete: {
          summary: 'Delete a task (If-Match: the ETag, optional)',
          responses: {
            '204': { description: 'Deleted' },
            '412': { description: 'If-Match is stale', ...problem },
            ...errors,
          },
        },
      },
      '/v1/tasks/{id}/complete': {
        parameters: [idParam],
        post: { summary: 'Complete a task', responses: { '200': taskResponse, ...errors } },
      },
      '/v1/tasks/{id}/snooze': {
        parameters: [idParam],
        post: {
          summary: 'Move the reminder',
          requestBody: body('Snooze'),
          responses: {
            '200': taskResponse,
            '409': { description: 'The task is completed: reopen it to snooze', ...problem },
            ...errors,
          },
        },
      },
      '/v1/chat': {
        post: {
          summary: 'An English command, parsed deterministically in the user time zone',
          requestBody: body('ChatRequest'),
          responses: {
            '200': {
              description: 'The reply',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ChatResponse' } } },
            },
            ...errors,
          },
        },
      },
      '/v1/preferences': {
        get: {
          summary: "The user's preferences (`timezone` null until set)",
          responses: { '200': { description: 'The preferences', ...jsonObject }, ...errors },
        },
        put: {
          summary: 'Set the time zone the chat and add_task read dates in when a request names none',
          requestBody: body('Preferences'),
          responses: { '200': { description: 'Saved', ...jsonObject }, ...errors },
        },
      },
      '/v1/stream-token': {
        post: {
          summary:
            "A stream-only token (no longer-lived than the caller's) and the URL of notifier's stream, for a browser's EventSource",
          responses: {
            '200': { description: '`token`, `expires_at`, `stream_url`', ...jsonObject },
            ...errors,
          },
        },
      },
      '/dev/sign-in': {
        post: {
          summary: 'Development only (DEV_SIGN_IN): a user name gets a user token for an hour',
          security: [],
          requestBody: body('DevSignIn'),
          responses: {
            '200': { description: '`token`, `expires_at`', ...jsonObject },
            '404': { description: 'Development sign-in is off', ...problem },
            '422': { description: 'Not a user name', ...problem },
          },
        },
      },
      '/healthz': { get: { summary: 'Alive', security: [], responses: { '200': { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'Database and sidecar reachable',
          security: [],
          responses: { '200': { description: 'ready' }, '503': { description: 'not ready', ...problem } },
        },
      },
    },
  };
}

/** A small self-contained docs page (no CDN): every operation, its schemas as JSON. */
export function docsPage(doc: Record<string, unknown>): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
  const paths = doc.paths as Record<string, Record<string, { summary?: string }>>;
  const rows = Object.entries(paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => m !== 'parameters')
        .map(
          ([m, op]) =>
            `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary ?? '')}</td></tr>`,
        ),
    )
    .join('\n');
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  const blocks = Object.entries(schemas)
    .map(([name, s]) => `<h3 id="${name}">${name}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>chat-api</title>
<style>body{font:14px system-ui;margin:2em;max-width:70em}td{padding:.2em .8em}pre{background:#f4f4f4;padding:1em;overflow:auto}</style></head>
<body><h1>todo-chatbot chat-api</h1><p>${esc(String((doc.info as { description: string }).description))} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<table>${rows}</table><h2>Schemas</h2>${blocks}</body></html>`;
}

/**
 * `POST /mcp`: the todo tools over MCP's Streamable HTTP transport, stateless (a fresh server per
 * request: nothing is kept between calls, any replica answers any call).
 *
 * In front of it, in order:
 * 1. DNS rebinding: the `Host` must be one of MCP_ALLOWED_HOSTS and an `Origin`, when a browser
 *    sends one, one of MCP_ALLOWED_ORIGINS (hostnames, port-agnostic), else 403. A page on
 *    another site that rebinds its name to this address sends its own name in both.
 * 2. The bearer JWT, checked as on every /v1 route (requireUser); the user is the
 *    token's `sub`, never a tool argument. Without a valid one: 401 with
 *    `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728, as the MCP authorization spec
 *    asks), pointing at `/.well-known/oauth-protected-resource/mcp`.
 */
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/hono';
import { type AuthInfo, createMcpHandler } from '@modelcontextprotocol/server';
import { AppError, type Logger, requireUser, type UserAuthOptions } from '@todo/platform';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Db } from '../db/database.ts';
import type { ChatApiEnv } from '../http/env.ts';
import type { WriteLimiter } from '../http/write-rate-limit.ts';
import type { TaskLimits } from '../tasks/task-limits.ts';
import { createTaskToolsServer, type ToolContext } from './task-tools.ts';

export const MCP_PATH = '/mcp';
export const RESOURCE_METADATA_PATH = `/.well-known/oauth-protected-resource${MCP_PATH}`;

/** Hostnames a local run is reached by: the default of MCP_ALLOWED_HOSTS and MCP_ALLOWED_ORIGINS. */
export const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface McpOptions {
  db: Db;
  log: Logger;
  auth: UserAuthOptions;
  limiter: WriteLimiter;
  limits: TaskLimits;
  now: () => Date;
  /** Wakes the outbox relay after a tool's write committed (TaskContext.committed). */
  committed?: () => void;
  /** MCP_ALLOWED_HOSTS: the hostnames a request's `Host` may name [LOCAL_HOSTNAMES]. */
  allowedHosts?: string[];
  /** MCP_ALLOWED_ORIGINS: the hostnames a browser's `Origin` may name [LOCAL_HOSTNAMES]. */
  allowedOrigins?: string[];
  /** PUBLIC_URL: where clients reach chat-api (`https://todo.example.com`) [the request's own origin]. */
  publicUrl?: string;
  /** MCP_AUTHORIZATION_SERVERS: the issuers of user tokens, listed in the resource metadata. */
  authorizationServers?: string[];
}

const TOOL_CONTEXT = 'todoToolContext';

function toolContextOf(info: AuthInfo | undefined): ToolContext {
  const tc = info?.extra?.[TOOL_CONTEXT];
  if (!tc) throw new Error('an MCP request reached the server without its user');
  return tc as ToolContext;
}

export function mountMcp(app: Hono<ChatApiEnv>, options: McpOptions): void {
  const origin = (c: Context) => options.publicUrl?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
  const metadataUrl = (c: Context) => `${origin(c)}${RESOURCE_METADATA_PATH}`;

  for (const path of [MCP_PATH, RESOURCE_METADATA_PATH]) {
    app.use(path, hostHeaderValidation(options.allowedHosts ?? LOCAL_HOSTNAMES));
    app.use(path, originValidation(options.allowedOrigins ?? LOCAL_HOSTNAMES));
  }

  // RFC 9728 Protected Resource Metadata: what a client learns from the 401's challenge.
  app.get(RESOURCE_METADATA_PATH, (c) =>
    c.json({
      resource: `${origin(c)}${MCP_PATH}`,
      ...(options.authorizationServers?.length
        ? { authorization_servers: options.authorizationServers }
        : {}),
      bearer_methods_supported: ['header'],
      resource_name: 'todo-chatbot tasks',
      resource_documentation: `${origin(c)}/docs`,
    }),
  );

  // The /v1 check, with the challenge the MCP authorization spec asks for: where the resource
  // metadata is, so a client can find how to get a token.
  const user: MiddlewareHandler = requireUser(options.auth);
  const bearer: MiddlewareHandler<ChatApiEnv> = async function mcpUser(c, next) {
    try {
      await user(c, async () => {});
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') {
        const invalid = c.req.header('authorization') ? ', error="invalid_token"' : '';
        c.header(
          'WWW-Authenticate',
          `Bearer realm="todo-chatbot", resource_metadata="${metadataUrl(c)}"${invalid}`,
        );
      }
      throw err;
    }
    await next();
  };

  const handler = createMcpHandler((request) => createTaskToolsServer(toolContextOf(request.authInfo)), {
    onerror: (err) => options.log.warn({ err }, 'MCP request refused'),
  });

  app.post(MCP_PATH, bearer, async (c) => {
    const userId = c.get('userId');
    const tools: ToolContext = {
      ctx: {
        db: options.db,
        userId,
        correlationId: c.get('correlationId'),
        now: options.now,
        limits: options.limits,
        ...(options.committed ? { committed: options.committed } : {}),
      },
      limiter: options.limiter,
      log: c.get('log'),
      requestId: c.get('requestId'),
    };
    const authInfo: AuthInfo = {
      token: 'verified',
      clientId: userId,
      scopes: [],
      expiresAt: Math.floor(c.get('tokenExpiresAt') / 1000),
      extra: { [TOOL_CONTEXT]: tools },
    };
    return handler.fetch(c.req.raw, { authInfo });
  });
}

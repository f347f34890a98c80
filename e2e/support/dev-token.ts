import { sign } from 'hono/jwt';

/** A user's bearer token for the e2e tests (HS256 with the stack's AUTH_JWT_SECRET). */
export async function bearer(secret: string, userId: string): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  return {
    authorization: `Bearer ${await sign({ sub: userId, iat: now, exp: now + 3600 }, secret, 'HS256')}`,
  };
}

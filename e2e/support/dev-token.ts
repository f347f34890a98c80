import { signUserToken } from '@todo/platform';

/** A user's bearer token for the e2e tests (as the apps take them: AUTH_JWT_SECRET, default issuer and audience). */
export async function bearer(secret: string, userId: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signUserToken({ secret, sub: userId, ttlSeconds: 3600 })}` };
}

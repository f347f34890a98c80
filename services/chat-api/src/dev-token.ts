/**
 * `node src/dev-token.ts [user-id] [hours]`: prints a development JWT for a user (HS256 with
 * AUTH_JWT_SECRET, the configured issuer and audience, at most AUTH_JWT_MAX_LIFETIME_SECONDS),
 * to call the API by hand: curl -H "Authorization: Bearer $(node src/dev-token.ts alice)".
 * Not in the production image.
 */
import { signUserToken } from '@todo/platform';

const secret = process.env.AUTH_JWT_SECRET;
if (!secret) {
  console.error('AUTH_JWT_SECRET is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const sub = process.argv[2] ?? 'dev-user';
const hours = Math.min(
  Number(process.argv[3] ?? 12),
  Number(process.env.AUTH_JWT_MAX_LIFETIME_SECONDS ?? 86_400) / 3600,
);
console.log(
  await signUserToken({
    secret,
    sub,
    ttlSeconds: hours * 3600,
    ...(process.env.AUTH_JWT_ISSUER ? { issuer: process.env.AUTH_JWT_ISSUER } : {}),
    ...(process.env.AUTH_JWT_AUDIENCE ? { audience: process.env.AUTH_JWT_AUDIENCE } : {}),
  }),
);

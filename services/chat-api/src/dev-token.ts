/**
 * `node src/dev-token.ts [user-id] [hours]`: prints a development JWT (HS256, AUTH_JWT_SECRET)
 * for a user, to call the API by hand: curl -H "Authorization: Bearer $(pnpm -s token alice)".
 */
import { sign } from 'hono/jwt';

const secret = process.env.AUTH_JWT_SECRET;
if (!secret) {
  console.error('AUTH_JWT_SECRET is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const sub = process.argv[2] ?? 'dev-user';
const hours = Number(process.argv[3] ?? 12);
const now = Math.floor(Date.now() / 1000);
console.log(await sign({ sub, iat: now, exp: now + Math.round(hours * 3600) }, secret, 'HS256'));

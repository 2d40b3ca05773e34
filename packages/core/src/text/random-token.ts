import { randomBytes } from 'node:crypto';

/** A bearer token for a local server (the gateway's HTTP transport, the dashboard): 256 random bits, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

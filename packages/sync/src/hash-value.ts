import { hash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a value's canonical JSON: object keys sorted at every level,
 * so the same value always hashes the same whatever order a file or a codec gave it.
 * `undefined` members are dropped, as JSON does.
 */
export function hashValue(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}

/** JSON with sorted object keys and no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortKeys(member);
  }
  return out;
}

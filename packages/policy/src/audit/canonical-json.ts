import { hash } from 'node:crypto';
import { byEntryKey } from '@skillsync/core';

/**
 * JSON with object keys sorted by byte order at every level and no whitespace, so equal
 * values always give the same text (for the keys and values the audit log holds, this
 * is RFC 8785 JCS). `undefined` members are dropped; `undefined` elsewhere is null.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(byEntryKey);
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** sha256 of the UTF-8 text, as hex. The one-shot `crypto.hash` (Node 20.12+) costs half of a Hash object. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * `sha256:<hex>` of the canonical JSON of a call's arguments (`{}` when there are none):
 * what an audit record keeps instead of the arguments. Equal arguments give equal
 * digests whatever their key order, so two records can be matched without storing either.
 */
export function digestArguments(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value ?? {}))}`;
}

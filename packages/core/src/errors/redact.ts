/**
 * One redactor for every message, detail and log line. It masks values that look
 * like credentials (provider token shapes, bearer headers, private keys, and
 * `key=value` pairs whose key names a secret) and any exact value registered as a
 * known secret at run time.
 */
const knownSecrets = new Set<string>();

export const REDACTED = '[REDACTED]';

/** Registers a value that must never be printed (e.g. a secret resolved from the store). */
export function registerSecret(value: string): void {
  if (value.length >= 4) knownSecrets.add(value);
}

const secretPatterns: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

const secretAssignment = /\b([A-Za-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|credential|auth)[A-Za-z0-9_.-]*)(\s*[=:]\s*)("?)([^\s"',;]{4,})\3/gi;

function redactString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of secretPatterns) {
    out = out.replace(pattern, (match, scheme: unknown) =>
      typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
    );
  }
  return out.replace(secretAssignment, (match, key: string, sep: string, quote: string, value: string) =>
    isReference(value) || /^(bearer|basic)$/i.test(value) || value.startsWith(REDACTED)
      ? match
      : `${key}${sep}${quote}${REDACTED}${quote}`,
  );
}

/** `${secret:X}` and `${env:X}` are references, not values: they stay readable. */
function isReference(value: string): boolean {
  return /^\$\{(?:secret|env):[^}]+\}$/.test(value);
}

const sensitiveKey = /token|secret|password|passwd|api[_-]?key|apikey|credential|authorization|private[_-]?key/i;

/** Returns a deep copy of `value` with every secret-looking string masked. */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && sensitiveKey.test(key) && !isReference(value) && value.length > 0) return REDACTED;
    return redactString(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}

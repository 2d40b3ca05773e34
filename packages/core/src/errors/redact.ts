/**
 * One redactor for every message, detail and log line. It masks values that look
 * like credentials (provider token shapes, bearer headers, private keys, and
 * `key=value` pairs whose key names a secret) and any exact value registered as a
 * known secret at run time.
 *
 * The patterns are exported (`credentialPatterns`, `secretAssignmentPattern`,
 * `sensitiveKeyPattern`) so the runtime redactor of @skillsync/policy reuses this one
 * list instead of keeping its own copy.
 */
const knownSecrets = new Set<string>();

export const REDACTED = '[REDACTED]';

/** Registers a value that must never be printed (e.g. a secret resolved from the store). */
export function registerSecret(value: string): void {
  if (value.length >= 4) knownSecrets.add(value);
}

/**
 * Every value registered with `registerSecret` so far. The set only ever grows, so its
 * `size` tells a caller that caches something derived from it when to rebuild.
 */
export function knownSecretValues(): ReadonlySet<string> {
  return knownSecrets;
}

/**
 * The runtime redactor's built-in detectors (`@skillsync/policy`), in the order they
 * scan. Listed here, beside the patterns they use, so the manifest schema
 * (`gateway.redaction.detectors`) and the redactor share one list.
 */
export const REDACTION_DETECTOR_NAMES = [
  'known-secret',
  'private-key',
  'jwt',
  'api-key',
  'aws-key',
  'bearer',
  'secret-assignment',
  'email',
  'credit-card',
  'iban',
] as const;

export type RedactionDetectorName = (typeof REDACTION_DETECTOR_NAMES)[number];

/** What kind of credential a pattern finds; the runtime redactor names its detectors after these. */
export type CredentialKind = 'private-key' | 'api-key' | 'aws-key' | 'jwt' | 'bearer';

export interface CredentialPattern {
  /** The provider or format, e.g. `github-token`. */
  readonly name: string;
  readonly kind: CredentialKind;
  /**
   * Global, and linear on any input: a literal prefix anchors every match and the
   * repeated parts are single character classes, so no input makes it backtrack badly.
   * For `bearer`, group 1 is the scheme (`Bearer`/`Basic`), which stays readable.
   */
  readonly pattern: RegExp;
}

/** The credential shapes skillsync recognises, most specific first. Add here; never keep a second list. */
export const credentialPatterns: readonly CredentialPattern[] = [
  // Bounded, so a BEGIN line without its END costs at most 64 KiB of scanning.
  { name: 'pem-private-key', kind: 'private-key', pattern: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,65536}?-----END [A-Z ]{0,40}PRIVATE KEY-----/g },
  { name: 'jwt', kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { name: 'github-token', kind: 'api-key', pattern: /\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}\b/g },
  { name: 'openai-anthropic-key', kind: 'api-key', pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { name: 'slack-token', kind: 'api-key', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { name: 'google-api-key', kind: 'api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'gitlab-token', kind: 'api-key', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { name: 'npm-token', kind: 'api-key', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'stripe-key', kind: 'api-key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { name: 'huggingface-token', kind: 'api-key', pattern: /\bhf_[A-Za-z0-9]{30,}\b/g },
  // skillsync's own org server tokens (docs/server-api.md): `ssk_` and 32 random bytes in base64url.
  { name: 'skillsync-token', kind: 'api-key', pattern: /\bssk_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g },
  { name: 'sendgrid-key', kind: 'api-key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { name: 'aws-access-key-id', kind: 'aws-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { name: 'aws-secret-access-key', kind: 'aws-key', pattern: /\baws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi },
  { name: 'bearer', kind: 'bearer', pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi },
];

/**
 * `key=value` / `key: value` where the key names a secret. Groups: 1 the key from its
 * secret word on (`TOKEN` of `GITHUB_TOKEN`; what comes before stays outside the match,
 * untouched), 2 separator, 3 optional quote, 4 value. Starting at the secret word keeps
 * the scan linear and fast: an earlier `\b[…]*(?:token|…)[…]*` took quadratic time on a
 * long run such as `a.a.a.…` (minutes for 1 MB).
 */
export const secretAssignmentPattern = /((?:token|secret|password|passwd|api[_-]?key|apikey|credential|auth)[A-Za-z0-9_.-]{0,64})(\s*[=:]\s*)("?)([^\s"',;]{4,})\3/gi;

/** Object keys whose string values are secrets as a whole (`password`, `apiKey`, `Authorization`, …). */
export const sensitiveKeyPattern = /token|secret|password|passwd|api[_-]?key|apikey|credential|authorization|private[_-]?key/i;

/** `${secret:X}` and `${env:X}` are references, not values: they stay readable. */
export function isSecretReference(value: string): boolean {
  return /^\$\{(?:secret|env):[^}]+\}$/.test(value);
}

/**
 * Short strings `redactString` found nothing in, so the values logged over and over (the
 * audit log redacts every record's tool name and note) skip its regexes (~2 µs each).
 * Only clean verdicts are kept, so the cache never holds a secret; a newly registered
 * secret may hide in a string found clean before, so a change of `knownSecrets.size`
 * empties it. Bounded: the oldest entry goes first.
 */
const cleanStrings = new Set<string>();
let cleanUnderSecrets = 0;
const CLEAN_CACHE_ENTRIES = 2048;
const CLEAN_CACHE_MAX_LENGTH = 256;

function redactString(text: string): string {
  const cacheable = text.length <= CLEAN_CACHE_MAX_LENGTH;
  if (cacheable) {
    if (cleanUnderSecrets !== knownSecrets.size) {
      cleanStrings.clear();
      cleanUnderSecrets = knownSecrets.size;
    } else if (cleanStrings.has(text)) {
      return text;
    }
  }
  const out = redactUncached(text);
  if (cacheable && out === text) {
    if (cleanStrings.size >= CLEAN_CACHE_ENTRIES) cleanStrings.delete(cleanStrings.values().next().value as string);
    cleanStrings.add(text);
  }
  return out;
}

/**
 * Every credential pattern as one alternation per flag set (without `g`): whether any of
 * them matches, in two scans instead of one per pattern. Most text holds no credential,
 * and then the replacements, which find nothing and change nothing, are skipped.
 */
const anyCredentialPattern: readonly RegExp[] = (() => {
  const byFlags = new Map<string, string[]>();
  for (const { pattern } of credentialPatterns) {
    const flags = pattern.flags.replace('g', '');
    byFlags.set(flags, [...(byFlags.get(flags) ?? []), `(?:${pattern.source})`]);
  }
  return [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
})();

function redactUncached(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (anyCredentialPattern.some((pattern) => pattern.test(out))) {
    for (const { kind, pattern } of credentialPatterns) {
      out = out.replace(pattern, (match, scheme: unknown) => (kind === 'bearer' && typeof scheme === 'string' ? `${scheme} ${REDACTED}` : REDACTED));
    }
  }
  return out.replace(secretAssignmentPattern, (match, key: string, sep: string, quote: string, value: string) =>
    isSecretReference(value) || /^(bearer|basic)$/i.test(value) || value.startsWith(REDACTED)
      ? match
      : `${key}${sep}${quote}${REDACTED}${quote}`,
  );
}

/** Returns a deep copy of `value` with every secret-looking string masked. */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && sensitiveKeyPattern.test(key) && !isSecretReference(value) && value.length > 0) return REDACTED;
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

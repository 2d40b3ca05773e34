import { redactSecrets } from '../errors/redact.js';
import type { ConnectorDefinition } from './manifest-schema.js';

/** Where a literal credential sits, by field path; never the value itself. */
export interface SecretLiteral {
  readonly path: readonly (string | number)[];
  readonly reason: string;
}

const referencePattern = /\$\{(?:secret|env):[A-Za-z_][A-Za-z0-9_.-]*\}/g;
const anyReferencePattern = /\$\{[^}]*\}/g;

/** Names whose value is a credential: `*_TOKEN`, `*_KEY`, `Authorization`, `X-Api-Key`, `password`… */
const sensitiveName = /(?:^|[_.-])(?:token|key|apikey|secret|password|passwd|pwd|credentials?|auth|authorization|cookie|signature|sig)$|^(?:authorization|cookie|proxy-authorization)$/i;
/** An auth scheme in front of a reference is part of the template, not a secret. */
const authScheme = /^\s*(?:bearer|basic|token|apikey|api-key)\s*/i;

/**
 * Finds values in a connector that look like a written-out credential: a value under
 * a credential-like name that is not made only of `${secret:…}` / `${env:…}`
 * references, or any value with a known token shape (the redactor's patterns).
 */
export function findSecretLiterals(connector: ConnectorDefinition): SecretLiteral[] {
  const found: SecretLiteral[] = [];
  const checkValue = (path: readonly (string | number)[], name: string, value: string): void => {
    const reason = secretReason(name, value);
    if (reason !== undefined) found.push({ path, reason });
  };
  for (const [name, value] of Object.entries(connector.env ?? {})) checkValue(['env', name], name, value);
  for (const [name, value] of Object.entries(connector.headers ?? {})) checkValue(['headers', name], name, value);
  connector.args?.forEach((arg, index) => {
    // `--token=abc` or a bare token: only the unmistakable shapes, since args are free-form.
    const assignment = /^--?([A-Za-z0-9_.-]+)=(.*)$/s.exec(arg);
    const reason = assignment?.[1] !== undefined && assignment[2] !== undefined ? secretReason(assignment[1], assignment[2]) : shapeReason(arg);
    if (reason !== undefined) found.push({ path: ['args', index], reason });
  });
  if (connector.url !== undefined) found.push(...urlSecrets(connector.url));
  return found;
}

function secretReason(name: string, value: string): string | undefined {
  const rest = value.replaceAll(referencePattern, '');
  if (sensitiveName.test(name)) {
    const literal = rest.replace(authScheme, '').trim();
    if (literal !== '' && !/^(?:true|false|none|\d{1,4})$/i.test(literal)) {
      return `\`${name}\` names a credential but its value is not a \${secret:…} or \${env:…} reference`;
    }
  }
  return shapeReason(rest);
}

function shapeReason(value: string): string | undefined {
  const withoutRefs = value.replaceAll(anyReferencePattern, '');
  return redactSecrets(withoutRefs) === withoutRefs ? undefined : 'the value has the shape of a credential (a token, key or password)';
}

function urlSecrets(raw: string): SecretLiteral[] {
  let url: URL;
  try {
    url = new URL(raw.replaceAll(referencePattern, 'REF'));
  } catch {
    return [];
  }
  const found: SecretLiteral[] = [];
  if (url.password !== '' && url.password !== 'REF') found.push({ path: ['url'], reason: 'the URL holds a password' });
  for (const [name, value] of url.searchParams) {
    const reason = secretReason(name, value.replaceAll('REF', ''));
    if (reason !== undefined) found.push({ path: ['url'], reason: `query parameter ${reason}` });
  }
  // The query was checked parameter by parameter above; the rest must not carry a token either.
  const withoutQuery = raw.split('?')[0] ?? raw;
  if (found.length === 0 && shapeReason(withoutQuery) !== undefined) found.push({ path: ['url'], reason: 'the URL has a credential in it' });
  return found;
}

/** References that are neither `${secret:NAME}` nor `${env:NAME}`: likely typos. */
export function findMalformedReferences(value: string): string[] {
  const all = value.match(anyReferencePattern) ?? [];
  return all.filter((reference) => !new RegExp(`^${referencePattern.source}$`).test(reference));
}

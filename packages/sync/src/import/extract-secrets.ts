import { findSecretLiterals, redactSecrets, REDACTED, type ConnectorDefinition } from '@skillsync/core';

/** A credential found written out in a connector, and the placeholder now standing in its place. */
export interface ExtractedSecret {
  /** A name for the secret store: the variable's own name where there is one. */
  readonly suggestedName: string;
  readonly value: string;
  /** Where it was: `env.GITHUB_TOKEN`, `headers.Authorization`, `args[2]`, `url`. */
  readonly field: string;
  /** The text now in the connector where the value was; replaced by a `${secret:NAME}` reference once named. */
  readonly placeholder: string;
}

export interface ExtractSecretsResult {
  readonly connector: ConnectorDefinition;
  readonly secrets: readonly ExtractedSecret[];
}

const authScheme = /^(\s*(?:bearer|basic|token|apikey|api-key)\s+)/i;

/**
 * Takes every literal credential out of a connector (the ones the manifest refuses:
 * `findSecretLiterals`), leaving a placeholder where each was. An auth scheme stays in
 * the template (`Bearer ${secret:…}`), a flag keeps its name (`--token=${secret:…}`), and
 * in a URL only the credential part is replaced.
 */
export function extractSecrets(connectorName: string, connector: ConnectorDefinition): ExtractSecretsResult {
  const secrets: ExtractedSecret[] = [];
  const prefix = secretName(connectorName);
  const take = (value: string, suggestedName: string, field: string): string => {
    const placeholder = `@@skillsync-secret-${secrets.length}@@`;
    secrets.push({ suggestedName: secretName(suggestedName), value, field, placeholder });
    return placeholder;
  };
  /** Replaces the credential-shaped parts of a value, or (when a credential-named field has no known shape) all of it but the scheme. */
  const templated = (value: string, suggestedName: string, field: string): string => {
    const parts = credentialParts(value);
    if (parts.some((part) => part.secret)) return parts.map((part) => (part.secret ? take(part.text, suggestedName, field) : part.text)).join('');
    const scheme = authScheme.exec(value)?.[1] ?? '';
    return scheme + take(value.slice(scheme.length), suggestedName, field);
  };

  const env = connector.env === undefined ? undefined : { ...connector.env };
  const headers = connector.headers === undefined ? undefined : { ...connector.headers };
  const args = connector.args === undefined ? undefined : [...connector.args];
  let url = connector.url;
  for (const literal of findSecretLiterals(connector)) {
    const [section, key] = literal.path;
    if (section === 'env' && env !== undefined && typeof key === 'string') {
      env[key] = templated(env[key] ?? '', key, `env.${key}`);
    } else if (section === 'headers' && headers !== undefined && typeof key === 'string') {
      const name = /^(?:authorization|proxy-authorization)$/i.test(key) ? `${prefix}_TOKEN` : `${prefix}_${key}`;
      headers[key] = templated(headers[key] ?? '', name, `headers.${key}`);
    } else if (section === 'args' && args !== undefined && typeof key === 'number') {
      const arg = args[key] ?? '';
      const flag = /^(--?[A-Za-z0-9_.-]+=)(.*)$/s.exec(arg);
      args[key] = flag?.[1] !== undefined && flag[2] !== undefined ? flag[1] + templated(flag[2], `${prefix}_${flag[1].replace(/^-+|=$/g, '')}`, `args[${key}]`) : templated(arg, `${prefix}_TOKEN`, `args[${key}]`);
    } else if (section === 'url' && url !== undefined && url === connector.url) {
      // One pass handles every credential of the URL (it is reported once per credential).
      url = templatedUrl(url, prefix, (value, name) => take(value, name, 'url'));
    }
  }
  const out: ConnectorDefinition = {
    ...connector,
    ...(env === undefined ? {} : { env }),
    ...(headers === undefined ? {} : { headers }),
    ...(args === undefined ? {} : { args }),
    ...(url === undefined ? {} : { url }),
  };
  return { connector: out, secrets };
}

/** The URL with its password, credential-named query values and token-shaped parts replaced (each once). */
function templatedUrl(raw: string, prefix: string, take: (value: string, name: string) => string): string {
  let out = raw;
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)([^@/?#]+)(@)/i.exec(out);
  if (userinfo?.[1] !== undefined && userinfo[2] !== undefined && !userinfo[2].startsWith('${')) {
    out = userinfo[1] + take(decodeURIComponent(userinfo[2]), `${prefix}_PASSWORD`) + out.slice(userinfo[1].length + userinfo[2].length);
  }
  const query = out.indexOf('?');
  if (query !== -1) {
    const [head, rest] = [out.slice(0, query + 1), out.slice(query + 1)];
    const replaced = rest.replace(/([^&=#]+)=([^&#]*)/g, (pair, name: string, value: string) => {
      const probe: ConnectorDefinition = { url: 'https://x/', headers: { [decodeURIComponent(name)]: decodeURIComponent(value) } };
      return findSecretLiterals(probe).length > 0 ? `${name}=${take(decodeURIComponent(value), `${prefix}_${name}`)}` : pair;
    });
    out = head + replaced;
  }
  const parts = credentialParts(out.split('?')[0] ?? out);
  if (parts.some((part) => part.secret)) {
    const path = parts.map((part) => (part.secret ? take(part.text, `${prefix}_TOKEN`) : part.text)).join('');
    out = path + out.slice((out.split('?')[0] ?? out).length);
  }
  return out;
}

/**
 * The value cut into literal text and credential-shaped parts, found by lining the
 * value up with what the shared redactor masks (so import and redaction agree on
 * what a credential looks like).
 */
export function credentialParts(value: string): { readonly text: string; readonly secret: boolean }[] {
  const masked = redactSecrets(value);
  if (masked === value) return [{ text: value, secret: false }];
  const whole = [{ text: value, secret: true }];
  const [first = '', ...rest] = masked.split(REDACTED);
  if (!value.startsWith(first)) return whole;
  const parts = [{ text: first, secret: false }];
  let at = first.length;
  for (const [index, literal] of rest.entries()) {
    const last = index === rest.length - 1;
    const end = last ? value.length - literal.length : literal === '' ? -1 : value.indexOf(literal, at + 1);
    // Parts that cannot be lined up (two masks side by side): the whole value is the credential.
    if (end <= at || (last && !value.endsWith(literal))) return whole;
    parts.push({ text: value.slice(at, end), secret: true }, { text: literal, secret: false });
    at = end + literal.length;
  }
  return parts.filter((part) => part.text !== '');
}

/** A secret store name: `GITHUB_TOKEN`-style, from any text. */
export function secretName(text: string): string {
  const name = text
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  const safe = name === '' ? 'SECRET' : /^[0-9]/.test(name) ? `_${name}` : name;
  return safe.slice(0, 128);
}

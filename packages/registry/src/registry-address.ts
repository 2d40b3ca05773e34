import { isLoopbackHost, SkillsyncError } from '@skillsync/core';
import { API_PREFIX, slug } from './api-schemas.js';

/** An org registry address, taken apart (docs/server-api.md "Addresses"). */
export interface RegistryAddress {
  /**
   * The canonical form, `http(s)://host[:port][/prefix]/v0.1/orgs/<org>`: lowercase scheme
   * and host, no default port, no trailing slash. Tokens are kept per canonical address.
   */
  readonly address: string;
  /** `http(s)://host[:port]`. */
  readonly origin: string;
  readonly org: string;
  /** The API root every route hangs from: `<origin>[/prefix]/v0.1`. */
  readonly apiBase: string;
}

const ADDRESS_FORM = 'http(s)://host[:port][/prefix]/v0.1/orgs/<org>';
/** `[/prefix]/v0.1/orgs/<org>[/]`: group 1 the prefix, group 2 the org. */
const addressPath = /^((?:\/[^/]+)*?)\/v0\.1\/orgs\/([^/]+)\/?$/;

/** Parses a registry address; INVALID_INPUT, with the expected form as the hint, for anything else. */
export function parseRegistryAddress(text: string): RegistryAddress {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalidAddress(text, 'it is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidAddress(text, 'only http:// and https:// registries are served by skillsync server');
  if (url.username !== '' || url.password !== '') throw invalidAddress(text, 'it holds credentials; log in with `skillsync login` instead');
  if (url.search !== '' || url.hash !== '') throw invalidAddress(text, 'it has a query or a fragment');
  const match = addressPath.exec(url.pathname);
  const org = match?.[2];
  if (match === null || org === undefined) throw invalidAddress(text, `its path does not end in ${API_PREFIX}/orgs/<org>`);
  if (!slug.safeParse(org).success) throw invalidAddress(text, `\`${org}\` is not an org name (lowercase letters, digits and inner hyphens)`);
  const apiBase = `${url.origin}${match[1] ?? ''}${API_PREFIX}`;
  return { address: `${apiBase}/orgs/${org}`, origin: url.origin, org, apiBase };
}

/** True for an address whose host is this machine (where plain http:// carries no token over a network). */
export function isLoopbackAddress(address: RegistryAddress): boolean {
  return isLoopbackHost(new URL(address.origin).hostname);
}

function invalidAddress(text: string, reason: string): SkillsyncError {
  return new SkillsyncError('INVALID_INPUT', `\`${shown(text)}\` is not a registry address: ${reason}.`, {
    hint: `A registry address has the form ${ADDRESS_FORM}, e.g. https://skills.example.com/v0.1/orgs/acme.`,
    details: { address: shown(text) },
  });
}

/** The text as given, without any credentials it holds, and not unbounded. */
function shown(text: string): string {
  return text.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').slice(0, 200);
}

import { isSkillsyncError, SkillsyncError } from '@skillsync/core';
import { readPackage, type FetchedPackage, type SkillSource } from '@skillsync/store';
import { skillName } from './api-schemas.js';
import { parseRegistryAddress } from './registry-address.js';
import { createRegistryClient, type RegistryClient } from './registry-client.js';
import { loginRequired, type RegistryCredentials } from './registry-credentials.js';
import type { FetchFunction } from './registry-http.js';

export interface HttpRegistrySourceOptions {
  /** The source as the lockfile records it (`registry+https://…`). */
  readonly resolved: string;
  /** The token, or how to find it: asked once, when the registry is first called. */
  readonly token?: string | (() => Promise<string | undefined>) | undefined;
  /** A client to use instead of one made from the address and token. */
  readonly client?: RegistryClient | undefined;
  readonly fetch?: FetchFunction | undefined;
}

/** Versions per page when listing: the API's maximum, so most skills take one request. */
const PAGE_SIZE = 100;

/**
 * An org registry (skillsync server) as a SkillSource. `listVersions` leaves yanked
 * versions out, so no new resolution picks one; `fetch` takes any exact version,
 * yanked too, so a lockfile that pins one still installs. The bytes are checked against
 * the integrity the registry records before install checks them again.
 */
export function createHttpRegistrySource(address: string, options: HttpRegistrySourceOptions): SkillSource {
  let client: Promise<RegistryClient> | undefined;
  const connect = (): Promise<RegistryClient> =>
    (client ??= (async () => {
      if (options.client !== undefined) return options.client;
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      return createRegistryClient({ address, token, fetch: options.fetch });
    })());

  return {
    async listVersions(name) {
      checkName(name);
      const registry = await connect();
      const versions: string[] = [];
      let cursor: string | undefined;
      do {
        let page;
        try {
          page = await registry.listVersions(name, { limit: PAGE_SIZE, cursor });
        } catch (error) {
          if (isSkillsyncError(error) && error.code === 'SERVER_NOT_FOUND') return [];
          throw error;
        }
        for (const summary of page.versions) if (summary.status !== 'yanked') versions.push(summary.version);
        cursor = page.metadata.nextCursor;
      } while (cursor !== undefined);
      return versions;
    },
    async fetch(name, version): Promise<FetchedPackage> {
      checkName(name);
      const registry = await connect();
      let detail;
      try {
        detail = await registry.getVersion(name, version);
      } catch (error) {
        if (isSkillsyncError(error) && error.code === 'SERVER_NOT_FOUND') {
          throw new SkillsyncError('VERSION_NOT_FOUND', `${name}@${version} is not in the registry ${registry.address.address}.`, {
            details: { name, version, registry: registry.address.address },
          });
        }
        throw error;
      }
      // Asked for by the exact version the detail names, so `latest` cannot move in between.
      const { tarball } = await registry.downloadPackage(name, detail.version);
      const { integrity } = await readPackage(tarball);
      if (integrity !== detail.integrity) {
        throw new SkillsyncError('INTEGRITY_MISMATCH', `${name}@${detail.version} from ${registry.address.address} does not match the integrity the registry records for it.`, {
          details: { name, version: detail.version, registry: registry.address.address, expected: detail.integrity, actual: integrity },
        });
      }
      return detail.signature === undefined ? { tarball } : { tarball, signature: detail.signature };
    },
    describe: () => options.resolved,
  };
}

function checkName(name: string): void {
  if (!skillName.safeParse(name).success) throw new SkillsyncError('SKILL_NAME_INVALID', `\`${name}\` is not a skill name.`, { details: { name } });
}

/**
 * The factory @skillsync/store's `remoteSource` option takes: an http(s) registry named
 * by a manifest or a lockfile, with the token `credentials` hold for its address.
 * REGISTRY_LOGIN_REQUIRED, when the registry is first called, if there is none.
 */
export function httpRegistrySources(credentials: Pick<RegistryCredentials, 'token'>, options: { readonly fetch?: FetchFunction } = {}): (url: string, resolved: string) => SkillSource {
  return (url, resolved) => {
    const address = parseRegistryAddress(url);
    const token = async (): Promise<string> => {
      const found = await credentials.token(address);
      if (found === undefined) throw loginRequired(address);
      return found;
    };
    return createHttpRegistrySource(address.address, { resolved, token, fetch: options.fetch });
  };
}

import { isSkillsyncError, type SkillsyncError } from '@skillsync/core';
import { computeIntegrity } from '@skillsync/store';
import { describe, expect, it } from 'vitest';
import { createRegistryClient } from './registry-client.js';
import { errorResponse, fakeFetch, instantRetry, jsonResponse, versionDetailBody } from './test-support/fake-fetch.js';

const address = 'https://skills.example.com/v0.1/orgs/acme';
const token = `ssk_${'A'.repeat(43)}`;
const whoamiBody = {
  user: 'alice',
  org: 'acme',
  role: 'publisher',
  teams: [{ team: 'platform', role: 'publisher' }],
  token: { id: 'tok1', name: 'laptop', scopes: ['publish'], expiresAt: '2026-06-01T00:00:00.000Z' },
};

async function failure(promise: Promise<unknown>): Promise<SkillsyncError> {
  try {
    await promise;
  } catch (error) {
    if (isSkillsyncError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('createRegistryClient', () => {
  it('calls the routes below the API base with the bearer token, and validates the answer', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, whoamiBody));
    const client = createRegistryClient({ address, token, fetch });
    expect(await client.whoami()).toEqual(whoamiBody);
    expect(requests[0]?.url.href).toBe('https://skills.example.com/v0.1/whoami');
    expect(requests[0]?.headers.get('authorization')).toBe(`Bearer ${token}`);
  });

  it('sends no token to /health, the one route without authentication', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { status: 'ok', database: 'sqlite' }));
    await createRegistryClient({ address, token, fetch }).health();
    expect(requests[0]?.headers.get('authorization')).toBeNull();
  });

  it('encodes names into path segments and list queries into the query string', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { skills: [], metadata: { count: 0 } }));
    const client = createRegistryClient({ address, token, fetch });
    await client.listSkills({ search: 'pdf tools', limit: 10, cursor: 'abc' });
    expect(requests[0]?.url.pathname).toBe('/v0.1/orgs/acme/skills');
    expect(Object.fromEntries(requests[0]?.url.searchParams ?? [])).toEqual({ search: 'pdf tools', limit: '10', cursor: 'abc' });
    await failure(client.getSkill('../../whoami'));
    expect(requests[1]?.url.pathname).toBe('/v0.1/orgs/acme/skills/..%2F..%2Fwhoami');
  });

  it('turns an error body into a SkillsyncError with the server code, message and hint', async () => {
    const { fetch } = fakeFetch(() => errorResponse(403, 'SERVER_FORBIDDEN', 'publisher role needed to publish pdf'));
    const error = await failure(createRegistryClient({ address, token, fetch }).whoami());
    expect(error).toMatchObject({
      code: 'SERVER_FORBIDDEN',
      message: 'publisher role needed to publish pdf',
      hint: 'server hint for SERVER_FORBIDDEN',
      details: { registry: address, status: 403, request: 'GET /whoami' },
    });
  });

  it('falls back to the code of the status for an unknown code or a body that is not ours', async () => {
    const unknownCode = fakeFetch(() => errorResponse(404, 'SOMETHING_NEW', 'gone'));
    expect(await failure(createRegistryClient({ address, token, fetch: unknownCode.fetch }).getSkill('pdf'))).toMatchObject({
      code: 'SERVER_NOT_FOUND',
      message: 'gone',
      details: { serverCode: 'SOMETHING_NEW' },
    });
    const proxyPage = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(await failure(createRegistryClient({ address, token, fetch: proxyPage.fetch, retry: { tries: 1 } }).getSkill('pdf'))).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    const teapot = fakeFetch(() => new Response('', { status: 418 }));
    expect(await failure(createRegistryClient({ address, token, fetch: teapot.fetch }).getSkill('pdf'))).toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID' });
  });

  it('refuses an answer that does not match the API schema with REGISTRY_RESPONSE_INVALID', async () => {
    const wrongShape = fakeFetch(() => jsonResponse(200, { ...whoamiBody, role: 'emperor' }));
    const error = await failure(createRegistryClient({ address, token, fetch: wrongShape.fetch }).whoami());
    expect(error.code).toBe('REGISTRY_RESPONSE_INVALID');
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'role' })]);
    const notJson = fakeFetch(() => new Response('<html>login page</html>', { status: 200 }));
    expect(await failure(createRegistryClient({ address, token, fetch: notJson.fetch }).whoami())).toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID' });
  });

  it('reports network failures as SOURCE_UNREACHABLE after retrying a GET', async () => {
    const retry = instantRetry();
    const { fetch, requests } = fakeFetch(() => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })));
    const error = await failure(createRegistryClient({ address, token, fetch, retry }).whoami());
    expect(error).toMatchObject({ code: 'SOURCE_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') as unknown });
    expect(requests).toHaveLength(5);
    expect(retry.waits).toHaveLength(4);
    // Exponential: each wait is at least half of its doubling step.
    retry.waits.forEach((wait, index) => {
      expect(wait).toBeGreaterThanOrEqual(125 * 2 ** index);
    });
  });

  it('retries 429 and 503 after the retry-after the server asks for', async () => {
    const retry = instantRetry();
    const { fetch, requests } = fakeFetch((_request, index) => {
      if (index === 0) return errorResponse(429, 'SERVER_RATE_LIMITED', 'slow down', { 'retry-after': '2' });
      if (index === 1) return errorResponse(503, 'SERVER_UNAVAILABLE', 'database down', { 'retry-after': '1' });
      return jsonResponse(200, whoamiBody);
    });
    expect(await createRegistryClient({ address, token, fetch, retry }).whoami()).toEqual(whoamiBody);
    expect(requests).toHaveLength(3);
    expect(retry.waits).toEqual([2000, 1000]);
  });

  it('gives up when retry-after reaches past the time budget, with the server error', async () => {
    const retry = instantRetry();
    const { fetch, requests } = fakeFetch(() => errorResponse(429, 'SERVER_RATE_LIMITED', 'slow down', { 'retry-after': '60' }));
    const error = await failure(createRegistryClient({ address, token, fetch, retry }).whoami());
    expect(error).toMatchObject({ code: 'SERVER_RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    expect(requests).toHaveLength(1);
  });

  it('never retries a write other than publish', async () => {
    const retry = instantRetry();
    const { fetch, requests } = fakeFetch(() => errorResponse(503, 'SERVER_UNAVAILABLE', 'database down'));
    const error = await failure(createRegistryClient({ address, token, fetch, retry }).setVersionStatus('pdf', '1.0.0', { status: 'yanked' }));
    expect(error.code).toBe('SERVER_UNAVAILABLE');
    expect(requests).toHaveLength(1);
  });

  describe('publish', () => {
    const tarball = new Uint8Array([1, 2, 3, 4, 5]);
    // What packSkill would have computed; the client sends it as it is.
    const integrity = computeIntegrity(new Uint8Array([42]));
    const published = versionDetailBody({ name: 'pdf', version: '1.0.0', integrity });

    it('PUTs the package with its integrity, the signature as base64 JSON, the tag and the team', async () => {
      const { fetch, requests } = fakeFetch(() => jsonResponse(201, published));
      const signature = { algorithm: 'ed25519', keyId: '0123456789abcdef', signature: 'c2ln' } as const;
      const result = await createRegistryClient({ address, token, fetch }).publish({ name: 'pdf', version: '1.0.0', tarball, integrity, signature, tag: 'beta', team: 'platform' });
      expect(result).toEqual({ version: published, reconciled: false });
      const request = requests[0];
      expect(request?.method).toBe('PUT');
      expect(request?.url.pathname).toBe('/v0.1/orgs/acme/skills/pdf/versions/1.0.0');
      expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({ tag: 'beta', team: 'platform' });
      expect(request?.headers.get('content-type')).toBe('application/gzip');
      expect(request?.headers.get('x-skillsync-integrity')).toBe(integrity);
      expect(JSON.parse(Buffer.from(request?.headers.get('x-skillsync-signature') ?? '', 'base64').toString('utf8'))).toEqual(signature);
      expect(request?.body).toEqual(tarball);
    });

    it('reports success when a retry finds the version the lost first attempt published', async () => {
      const retry = instantRetry();
      const { fetch, requests } = fakeFetch((request, index) => {
        if (index === 0) return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
        if (request.method === 'PUT') return errorResponse(409, 'VERSION_ALREADY_PUBLISHED', 'pdf@1.0.0 is already published');
        return jsonResponse(200, published);
      });
      const result = await createRegistryClient({ address, token, fetch, retry }).publish({ name: 'pdf', version: '1.0.0', tarball, integrity });
      expect(result).toEqual({ version: published, reconciled: true });
      expect(requests.map((request) => request.method)).toEqual(['PUT', 'PUT', 'GET']);
    });

    it('still refuses when the version found after a retry has other bytes', async () => {
      const retry = instantRetry();
      const other = versionDetailBody({ name: 'pdf', version: '1.0.0', integrity: computeIntegrity(new Uint8Array([9])) });
      const { fetch } = fakeFetch((request, index) => {
        if (index === 0) return errorResponse(503, 'SERVER_UNAVAILABLE', 'database down');
        if (request.method === 'PUT') return errorResponse(409, 'VERSION_ALREADY_PUBLISHED', 'pdf@1.0.0 is already published');
        return jsonResponse(200, other);
      });
      expect(await failure(createRegistryClient({ address, token, fetch, retry }).publish({ name: 'pdf', version: '1.0.0', tarball, integrity }))).toMatchObject({ code: 'VERSION_ALREADY_PUBLISHED' });
    });

    it('refuses a first-attempt conflict without asking further', async () => {
      const { fetch, requests } = fakeFetch(() => errorResponse(409, 'VERSION_ALREADY_PUBLISHED', 'pdf@1.0.0 is already published'));
      expect(await failure(createRegistryClient({ address, token, fetch }).publish({ name: 'pdf', version: '1.0.0', tarball, integrity }))).toMatchObject({ code: 'VERSION_ALREADY_PUBLISHED' });
      expect(requests).toHaveLength(1);
    });
  });

  it('downloads a package with the integrity header', async () => {
    const bytes = new Uint8Array([7, 7, 7]);
    const { fetch, requests } = fakeFetch(() => new Response(bytes, { status: 200, headers: { 'x-skillsync-integrity': computeIntegrity(bytes) } }));
    const downloaded = await createRegistryClient({ address, token, fetch }).downloadPackage('pdf', '1.0.0');
    expect(downloaded).toEqual({ tarball: new Uint8Array(bytes), integrity: computeIntegrity(bytes) });
    expect(requests[0]?.url.pathname).toBe('/v0.1/orgs/acme/skills/pdf/versions/1.0.0/package');
    expect(requests[0]?.headers.get('accept')).toBe('application/gzip');
  });

  it('never puts the token in an error message or its details', async () => {
    const cases = [
      () => Promise.reject(new TypeError(`fetch failed for Bearer ${token}`, { cause: { message: `refused ${token}` } })),
      () => errorResponse(401, 'SERVER_UNAUTHENTICATED', `unknown token ${token}`),
      () => jsonResponse(200, { user: token }),
      () => errorResponse(400, 'NOT_A_CODE', token),
    ];
    for (const answer of cases) {
      const { fetch } = fakeFetch(answer);
      const error = await failure(createRegistryClient({ address, token, fetch, retry: { tries: 1 } }).whoami());
      expect(JSON.stringify(error.toJSON())).not.toContain(token);
      expect(error.message).not.toContain(token);
    }
  });
});

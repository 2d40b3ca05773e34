import net from 'node:net';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createEnv, isErrorCode, type ErrorCode } from '@skillsync/core';
import {
  auditList,
  auditVerify,
  catalogue,
  catalogueEntry,
  effectiveProfile,
  errorBody,
  health,
  member,
  members,
  orgInfo,
  parity,
  runtimeAuditList,
  runtimeAuditUploaded,
  skillDetail,
  skillList,
  storedProfile,
  team,
  teamMembers,
  teams,
  tokenCreated,
  tokens,
  versionDetail,
  versionList,
  whoami,
} from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { packSkill, readPackage, type PackedSkill } from '@skillsync/store';
import { buildPackage, makeTempDir, writeTree } from '@skillsync/store/test-support';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { hashApiToken } from '../../apps/server/src/identity/api-tokens.js';
import { openTestServer, type ServerEngine, type TestOrg, type TestServer } from '../../apps/server/src/test-support/test-server.js';

/*
 * Fuzzing the org server's API (issue #6): arbitrary methods, paths built on every route
 * pattern of docs/server-api.md with hostile segments, query strings, headers and bodies,
 * and real packages mutated on their way to the publish PUT, against an in-process app.
 * Whatever comes in, the answer is never a 5xx, an error is the documented JSON body with
 * a catalogue code and the status of its code, a success is the route's documented body,
 * no token, token hash or stack leaves the server, a refused request changes no row, and
 * the server still answers /health. fast-check prints the seed and path of a failure;
 * SKILLSYNC_FUZZ_SEED replays one, SKILLSYNC_FUZZ_SCALE=10 runs ten times as many cases.
 */

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** What a route answers on success. */
type Success = z.ZodType | 'gzip' | 'empty' | 'event-stream' | 'ndjson';

interface Route {
  /** Below /v0.1, with `:param` segments. */
  readonly pattern: string;
  readonly methods: Partial<Record<Method, Success>>;
}

/** Every route of docs/server-api.md, and what each answers on success. */
const ROUTES: readonly Route[] = [
  { pattern: '/health', methods: { GET: health } },
  { pattern: '/whoami', methods: { GET: whoami } },
  { pattern: '/orgs/:org', methods: { GET: orgInfo, PATCH: orgInfo } },
  { pattern: '/orgs/:org/members', methods: { GET: members, POST: member } },
  { pattern: '/orgs/:org/members/:user', methods: { PATCH: member, DELETE: 'empty' } },
  { pattern: '/orgs/:org/teams', methods: { GET: teams, POST: team } },
  { pattern: '/orgs/:org/teams/:team', methods: { DELETE: 'empty' } },
  { pattern: '/orgs/:org/teams/:team/members', methods: { GET: teamMembers } },
  { pattern: '/orgs/:org/teams/:team/members/:user', methods: { PUT: member, DELETE: 'empty' } },
  { pattern: '/orgs/:org/tokens', methods: { GET: tokens, POST: tokenCreated } },
  { pattern: '/orgs/:org/tokens/:id', methods: { DELETE: 'empty' } },
  { pattern: '/orgs/:org/skills', methods: { GET: skillList } },
  { pattern: '/orgs/:org/skills/:name', methods: { GET: skillDetail } },
  { pattern: '/orgs/:org/skills/:name/versions', methods: { GET: versionList } },
  { pattern: '/orgs/:org/skills/:name/versions/:version', methods: { GET: versionDetail, PUT: versionDetail, PATCH: versionDetail } },
  { pattern: '/orgs/:org/skills/:name/versions/:version/package', methods: { GET: 'gzip' } },
  { pattern: '/orgs/:org/skills/:name/tags/:tag', methods: { PUT: skillDetail, DELETE: skillDetail } },
  { pattern: '/orgs/:org/servers', methods: { GET: catalogue, PUT: catalogueEntry } },
  { pattern: '/orgs/:org/servers/:serverName', methods: { DELETE: 'empty' } },
  { pattern: '/orgs/:org/servers/:serverName/versions/latest', methods: { GET: catalogueEntry } },
  { pattern: '/orgs/:org/profile', methods: { GET: effectiveProfile } },
  { pattern: '/orgs/:org/profiles/:scope', methods: { GET: storedProfile, PUT: storedProfile } },
  { pattern: '/orgs/:org/events', methods: { GET: 'event-stream' } },
  { pattern: '/orgs/:org/reports', methods: { POST: 'empty' } },
  { pattern: '/orgs/:org/parity', methods: { GET: parity } },
  { pattern: '/orgs/:org/audit', methods: { GET: auditList } },
  { pattern: '/orgs/:org/audit/verify', methods: { GET: auditVerify } },
  { pattern: '/orgs/:org/audit/export', methods: { GET: 'ndjson' } },
  { pattern: '/orgs/:org/audit/runtime', methods: { GET: runtimeAuditList, POST: runtimeAuditUploaded } },
];

/** docs/server-api.md's table: the status each code is answered with. */
const STATUS_OF: Readonly<Partial<Record<ErrorCode, number>>> = {
  SERVER_UNAUTHENTICATED: 401,
  SERVER_FORBIDDEN: 403,
  SERVER_NOT_FOUND: 404,
  VERSION_ALREADY_PUBLISHED: 409,
  SERVER_CONFLICT: 409,
  SERVER_PAYLOAD_TOO_LARGE: 413,
  SERVER_RATE_LIMITED: 429,
};

/** The rows a refused request must leave as they were (the audit log records refusals too, so it is not here). */
const STATE_TABLES = ['users', 'orgs', 'org_members', 'teams', 'team_members', 'tokens', 'skills', 'skill_versions', 'dist_tags', 'blobs', 'catalogue', 'profiles', 'reports'] as const;

const envSeed = process.env.SKILLSYNC_FUZZ_SEED;
const replay = envSeed === undefined ? {} : { seed: Number(envSeed) };
/** Sized for well under 30 s on a 2-core machine. */
const RUNS = { sqlite: { any: 2000, publish: 500 }, postgres: { any: 400, publish: 120 } } as const;
const scale = Number(process.env.SKILLSYNC_FUZZ_SCALE ?? '1');

const skillMd = (name: string, version: string): string =>
  `---\nname: ${name}\ndescription: The ${name} skill, for fuzzing.\nmetadata:\n  version: "${version}"\n---\n\nDo the thing.\n`;

async function pack(name: string, version: string): Promise<PackedSkill> {
  const dir = path.join(await makeTempDir('skillsync-fuzz-'), `${name}-${version}`);
  await writeTree(dir, { 'SKILL.md': skillMd(name, version), 'scripts/run.sh': '#!/bin/sh\necho hi\n', 'references/notes.md': '# Notes\n'.repeat(20) });
  return packSkill(dir);
}

/** Versions of fuzz-skill, packed and never published: each publish that gets through uses one up. */
const CANDIDATES = 30;

/** A seeded org: what the generators pick their "valid" path segments and tokens from. */
interface Fixture {
  readonly org: TestOrg;
  readonly tokens: { readonly owner: string; readonly publisher: string; readonly member: string; readonly reader: string };
  /** A token no one minds being revoked (its id is a path value the fuzzer may use). */
  readonly spareTokenId: string;
  readonly published: PackedSkill;
  /** The targets of the package mutations. */
  readonly candidates: readonly PackedSkill[];
}

async function seedOrg(server: TestServer, published: PackedSkill, candidates: readonly PackedSkill[]): Promise<Fixture> {
  const org = await server.newOrg('olivia');
  const owner = org.ownerToken;
  const publisher = await org.member('pat', 'publisher', { teams: { platform: 'publisher' }, scopes: ['publish'] });
  const memberToken = await org.member('max', 'member', { scopes: ['report'] });
  const reader = await org.member('ada', 'auditor', { scopes: ['read'] });
  const call = async (method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    const response = await server.app.request(`/v0.1/orgs/${org.org}${url}`, {
      method,
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json', ...headers },
      body: body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seeding ${method} ${url}: ${response.status} ${await response.text()}`);
    return response;
  };
  await call('PUT', `/skills/${published.name}/versions/${published.version}`, published.tarball, { 'content-type': 'application/gzip', 'x-skillsync-integrity': published.integrity });
  await call('PUT', '/profiles/org', { required: [{ name: published.name, version: '^1.0.0' }], blockedSkills: ['bad-skill'] });
  await call('PUT', '/servers', { name: 'io.github.acme/files', version: '1.0.0', description: 'Files.', packages: [{ registryType: 'npm', identifier: '@acme/files', version: '1.0.0', transport: { type: 'stdio' } }] });
  await call('PATCH', '', { reporting: true });
  const spare = await call('POST', '/tokens', { name: 'spare', scopes: ['read'] });
  const spareTokenId = ((await spare.json()) as { id: string }).id;
  return { org, tokens: { owner, publisher, member: memberToken, reader }, spareTokenId, published, candidates };
}

// Generators.

const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A header value the Fetch API accepts (latin-1, no CR/LF/NUL), otherwise arbitrary. */
const headerValue = (maxLength = 80): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ maxLength }), fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength })).filter((value) => HEADER_SAFE.test(value) && value.trim() === value);

/** Text that has broken servers: NUL (which PostgreSQL refuses in text) and other controls, lone surrogates, bidi overrides, long runs. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', 'x\u0000\u0000\u0000') },
  { weight: 3, arbitrary: fc.constantFrom('\u0001\u001f\u007f', '\ud800', 'x\udfff', '\u202e', '\ufeff', '\r\n', '%00', '${x}', '\\', "'", '"') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 500, max: 200_000 }).map((length) => 'z'.repeat(length)) },
);

const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', '.', '..', '...', '%2F', '%2f', '..%2F..%2F', '%2e%2e', '%2E', '%', '%zz', '%00', '%C0%AF', '%E0%A4%A', '%252F', '%FF', '%u002F', ';', '\\', '~', ' ', '+', '0', '-', 'latest', 'LATEST', 'org', 'team:', 'team:platform', 'team:%2F', '1.0.0', '01.0.0', '1.0.0-', '1.0.0+build', '9007199254740993.0.0', 'ssk_x', 'a'.repeat(41), 'a-', '-a', 'a--b', 'null', 'undefined', '__proto__', 'constructor', 'hasOwnProperty', '$1', "' or 1=1 --", '"', '<script>', '\u202e', '\ud800', '\u0000'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 70_000 }).map((length) => 'x'.repeat(length)) },
  { weight: 1, arbitrary: fc.constantFrom('%00', 'a%00b', '%0A', '%0D%0A', '%7F', '%1B') },
);

/** Percent-encoded, as a client should; a lone surrogate cannot be, and goes raw. */
function encodeComponent(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A path segment as it goes on the wire: percent-encoded, or raw (so `..`, `/`, `?`, `#` and `%` act). */
const wireSegment = (value: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(value, fc.boolean()).map(([text, encode]) => (encode ? encodeComponent(text) : text));

const validSegments = (fixture: Fixture): Record<string, readonly string[]> => ({
  org: [fixture.org.org],
  user: ['olivia', 'pat', 'max', 'ada', 'nobody'],
  team: ['platform', 'nope'],
  id: [fixture.spareTokenId],
  name: [fixture.published.name, 'fuzz-skill', 'missing-skill'],
  version: [fixture.published.version, '2.0.0', 'latest', '9.9.9'],
  tag: ['latest', 'beta', 'next'],
  serverName: ['io.github.acme/files', 'io.github.acme/none'],
  scope: ['org', 'team:platform', 'team:nope'],
});

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const anyMethod: fc.Arbitrary<string> = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.constantFrom('get', 'Put', 'PROPFIND', 'QUERY', 'M-SEARCH', 'FOO') });

/** A route, mostly with one of its own methods and its own literal segments, with parameters known to the org or hostile. */
const targetArbitrary = (fixture: Fixture): fc.Arbitrary<{ readonly method: string; readonly path: string; readonly pattern: string }> => {
  const valid = validSegments(fixture);
  return fc.constantFrom(...ROUTES).chain((route) => {
    const parts = route.pattern.split('/').slice(1);
    const segments = parts.map((part) => {
      if (!part.startsWith(':')) return fc.oneof({ weight: 40, arbitrary: fc.constant(part) }, { weight: 1, arbitrary: wireSegment(hostileSegment) });
      const known = valid[part.slice(1)] ?? [];
      return fc.oneof({ weight: 3, arbitrary: wireSegment(fc.constantFrom(...known)) }, { weight: 1, arbitrary: wireSegment(hostileSegment) });
    });
    const suffix = fc.oneof({ weight: 20, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/..', '/.', '/%2e%2e') });
    const method = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(Object.keys(route.methods) as Method[])) }, { weight: 1, arbitrary: anyMethod });
    return fc.tuple(method, suffix, ...segments).map(([chosen, tail, ...values]) => ({ method: chosen, path: `/v0.1/${values.join('/')}${tail}`, pattern: route.pattern }));
  });
};

const QUERY_KEYS = ['limit', 'cursor', 'updated_since', 'search', 'tag', 'team', 'since', 'until', 'action', 'principal', 'user', 'device'] as const;
const queryValue: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  hostileText,
  fc.constantFrom('1', '30', '100', '101', '0', '-1', '1e2', '0x10', 'NaN', 'Infinity', '', 'beta', 'latest', 'platform', 'nope', '2024-01-01T00:00:00Z', '2024-13-45T99:99:99Z', '9999-12-31T23:59:59.999+14:00', 'eyJ4IjoxfQ', 'eyJ2IjpbIvCfmIAiXX0', '%', '%zz'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 200, max: 5000 }).map((length) => 'q'.repeat(length)),
);
const queryArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), queryValue, fc.boolean()), { minLength: 1, maxLength: 5 })
      .map((pairs) => `?${pairs.map(([key, value, encode]) => (encode ? `${encodeComponent(key)}=${encodeComponent(value)}` : `${key}=${value}`)).join('&')}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => `?${text}`) },
);

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The integrity a publisher computes for the body it sends; `fallback` when the body is not a package at all. */
interface IntegrityOfBody {
  readonly fallback: string;
}

interface HeaderPicks {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly integrity: string | IntegrityOfBody | undefined;
  readonly signature: string | undefined;
  readonly other: readonly (readonly [string, string])[];
}

const headersArbitrary = (fixture: Fixture): fc.Arbitrary<HeaderPicks> => {
  const { owner, publisher, member: memberToken, reader } = fixture.tokens;
  const authorization = fc.oneof(
    { weight: 10, arbitrary: fc.constant(`Bearer ${owner}`) },
    { weight: 6, arbitrary: fc.constantFrom(`Bearer ${publisher}`, `Bearer ${memberToken}`, `Bearer ${reader}`) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        `bearer ${owner}`,
        `Bearer  ${owner}`,
        `Bearer ${owner} x`,
        `Bearer ${owner.slice(0, -1)}`,
        `Bearer ${owner}A`,
        `Bearer ssk_${'A'.repeat(43)}`,
        `Bearer ssk_${'A'.repeat(42)}`,
        `Bearer ${hashApiToken(owner)}`,
        `Basic ${base64(`olivia:${owner}`)}`,
      ),
    },
    { weight: 1, arbitrary: headerValue().map((value) => `Bearer ${value}`) },
    { weight: 1, arbitrary: headerValue() },
  );
  const integrity = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(fixture.published.integrity, fixture.candidates[0]?.integrity ?? '', 'sha512-', 'sha256-abc', `sha512-${'A'.repeat(86)}==`, `sha512-${'A'.repeat(5000)}`),
    fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => `sha512-${Buffer.from(bytes).toString('base64')}`),
    headerValue(),
  );
  const signatureJson = fc.record({ algorithm: fc.constantFrom('ed25519', 'rsa', ''), keyId: fc.string({ maxLength: 20 }), signature: fc.oneof(fc.base64String({ maxLength: 100 }), fc.string({ maxLength: 20 })) });
  const signature = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: signatureJson.map((value) => base64(JSON.stringify(value))) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }).map(base64) },
    { weight: 1, arbitrary: fc.constantFrom('', '=', 'not base64!', '====', 'A'.repeat(1025), 'A'.repeat(1024)) },
    { weight: 1, arbitrary: headerValue() },
  );
  return fc.record<HeaderPicks>({
    authorization,
    contentType: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/gzip', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/event-stream'),
      headerValue(40),
    ),
    contentLength: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.constantFrom('-1', 'abc', '1e3', '99999999999999999999', '', '0')) }),
    integrity,
    signature,
    other: fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom('if-match', 'if-none-match', 'accept', 'x-forwarded-for', 'transfer-encoding', 'content-encoding', 'x-request-id', 'origin'), headerValue(40)),
        fc.tuple(fc.constant('if-none-match'), fc.constantFrom(`"${fixture.published.integrity}"`, '*', '"1"')),
        fc.tuple(fc.constant('if-match'), fc.constantFrom('"0"', '"1"', '"2"', '*', '"x"', '1')),
      ),
      { maxLength: 3 },
    ),
  });
};

/** Documented bodies, by `METHOD pattern`: mutated one part at a time, so validation is passed now and then and the route behind it runs. */
const TEMPLATES: Readonly<Record<string, readonly Record<string, unknown>[]>> = {
  'POST /orgs/:org/members': [{ user: 'zed', role: 'member' }, { user: 'pat', role: 'owner' }],
  'PATCH /orgs/:org/members/:user': [{ role: 'admin' }, { role: 'owner' }, { role: 'member' }],
  'POST /orgs/:org/teams': [{ team: 'fuzzers', description: 'Found by fuzzing.' }, { team: 'platform' }],
  'PUT /orgs/:org/teams/:team/members/:user': [{ role: 'publisher' }, { role: 'auditor' }],
  'POST /orgs/:org/tokens': [{ name: 'fuzz token', scopes: ['read'], expiresInDays: 30 }, { name: 'fuzz token', user: 'pat', scopes: ['admin', 'publish'] }],
  'PATCH /orgs/:org/skills/:name/versions/:version': [{ status: 'deprecated', statusMessage: 'use 2.x' }, { status: 'yanked' }, { status: 'active' }],
  'PUT /orgs/:org/skills/:name/tags/:tag': [{ version: '1.0.0' }],
  'PATCH /orgs/:org': [{ requireSignatures: false, reporting: true, trustedKeys: [] }, { reporting: true }, { trustedKeys: [{ name: 'k', publicKey: 'not a key' }] }],
  'PUT /orgs/:org/servers': [{ name: 'io.github.acme/fuzz', version: '1.0.0', description: 'Fuzz.', remotes: [{ type: 'streamable-http', url: 'https://example.com/mcp' }] }],
  'PUT /orgs/:org/profiles/:scope': [
    { required: [{ name: 'demo-skill', version: '^1.0.0' }], blockedSkills: ['x'], blockedConnectors: ['c'], policies: [{ id: 'p1', text: 'permit(principal, action, resource);' }], instructions: 'Be nice.' },
    { required: [], policies: [{ id: 'bad', text: 'this is not cedar' }] },
  ],
  'POST /orgs/:org/reports': [{ device: 'laptop', clients: ['claude-code'], skills: [{ name: 'demo-skill', version: '1.0.0', integrity: 'sha512-x' }], drift: { modified: 1 } }],
  'POST /orgs/:org/audit/runtime': [{ device: 'laptop', records: [{ seq: 1, time: '2024-01-01T00:00:00Z', principal: 'p', client: 'c', action: 'a', decision: 'allow', outcome: 'ok', prevHash: '0'.repeat(64), hash: 'f'.repeat(64) }] }],
};
const ALL_TEMPLATES = Object.values(TEMPLATES).flat();

/** Where a value has strings: `[path, text]` of each, depth first. */
function stringLeaves(value: unknown, at: readonly (string | number)[] = []): (readonly [readonly (string | number)[], string])[] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => stringLeaves(item, [...at, index]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => stringLeaves(item, [...at, key]));
  return [];
}

function withLeaf(value: unknown, at: readonly (string | number)[], leaf: string): unknown {
  const [first, ...rest] = at;
  if (first === undefined) return leaf;
  if (Array.isArray(value)) return value.map((item: unknown, index) => (index === first ? withLeaf(item, rest, leaf) : item));
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  copy[first] = withLeaf(copy[first], rest, leaf);
  return copy;
}

/**
 * A documented body, changed in one place: as is, a key replaced, removed or added, the
 * whole wrapped in an array, or one of its strings (at any depth) tainted with hostile
 * text, which is what reaches the database's text columns.
 */
const mutatedJson = (templates: readonly Record<string, unknown>[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...templates),
      fc.constantFrom('same', 'replace', 'delete', 'add', 'wrap', 'taint', 'taint', 'taint'),
      fc.nat(),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileText),
      hostileText,
      fc.string({ maxLength: 12 }),
    )
    .map(([template, operation, index, value, taint, key]) => {
      if (operation === 'taint') {
        const leaves = stringLeaves(template);
        const leaf = leaves[index % Math.max(1, leaves.length)];
        return JSON.stringify(leaf === undefined ? template : withLeaf(template, leaf[0], index % 2 === 0 ? taint : `${leaf[1]}${taint}`));
      }
      const copy: Record<string, unknown> = { ...template };
      const keys = Object.keys(copy);
      const chosen = keys[index % Math.max(1, keys.length)] ?? 'x';
      if (operation === 'replace') copy[chosen] = value;
      if (operation === 'delete') Reflect.deleteProperty(copy, chosen);
      if (operation === 'add') copy[key] = value;
      return JSON.stringify(operation === 'wrap' ? [copy] : copy);
    });

/** A real package, damaged: bits flipped, cut short, extended, or changed inside the gzip and packed again. */
const mutatedPackage = (packed: PackedSkill): fc.Arbitrary<Uint8Array> => {
  const tarball = Buffer.from(packed.tarball);
  const tar = gunzipSync(tarball);
  return fc.oneof(
    fc.constant(tarball),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const copy = Buffer.from(tarball);
      for (const [at, bit] of flips) copy[at % copy.length] = (copy[at % copy.length] ?? 0) ^ (1 << bit);
      return copy;
    }),
    fc.nat({ max: tarball.length - 1 }).map((length) => tarball.subarray(0, length)),
    fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((extra) => Buffer.concat([tarball, extra])),
    fc.constant(Buffer.concat([tarball, tarball])),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const copy = Buffer.from(tar);
      for (const [at, byte] of edits) copy[at % copy.length] = byte;
      return gzipSync(copy);
    }),
    fc.nat({ max: tar.length }).map((length) => gzipSync(tar.subarray(0, length))),
    fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((extra) => gzipSync(Buffer.concat([tar, extra]))),
  );
};

/** The candidate's name and version, well packed, with a hostile description (YAML double-quoted, so any character gets in). */
const hostileMetadataPackage = (candidate: PackedSkill): fc.Arbitrary<Uint8Array> =>
  fc
    .oneof(hostileText, fc.string({ unit: 'grapheme', maxLength: 100 }))
    .map((description) => buildPackage([], `---\nname: ${candidate.name}\ndescription: ${JSON.stringify(description)}\nmetadata:\n  version: "${candidate.version}"\n---\n\nDo it.\n`));

type Body = { readonly kind: 'none' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

const bodyArbitrary = (fixture: Fixture, templates: readonly Record<string, unknown>[] | undefined): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: templates === undefined ? 0 : 12, arbitrary: mutatedJson(templates ?? ALL_TEMPLATES).map((text): Body => ({ kind: 'text', text })) },
    { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    { weight: 3, arbitrary: fc.json({ maxDepth: 3 }).map((text): Body => ({ kind: 'text', text })) },
    { weight: 3, arbitrary: mutatedJson(ALL_TEMPLATES).map((text): Body => ({ kind: 'text', text })) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }).map((text): Body => ({ kind: 'text', text })) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[', '"', 'null', '{"__proto__": {"admin": true}}', '{"a":1}'.repeat(3), '\ufeff{}', `{"x":"${'y'.repeat(1_100_000)}"}`).map((text): Body => ({ kind: 'text', text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes): Body => ({ kind: 'bytes', bytes })) },
    { weight: 2, arbitrary: fc.constantFrom(...fixture.candidates).chain(mutatedPackage).map((bytes): Body => ({ kind: 'bytes', bytes })) },
  );

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  /** The route pattern the path was built on. */
  readonly pattern: string;
  readonly query: string;
  readonly headers: HeaderPicks;
  readonly body: Body;
}

const requestArbitrary = (fixture: Fixture): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({ target: targetArbitrary(fixture), query: queryArbitrary, headers: headersArbitrary(fixture) })
    .chain(({ target, query, headers }) =>
      bodyArbitrary(fixture, TEMPLATES[`${target.method} ${target.pattern}`]).map((body): FuzzRequest => ({ ...target, query, headers, body })),
    );

/** Publishes only: a candidate's address or a hostile one, its integrity or not, and its bytes damaged. */
const publishArbitrary = (fixture: Fixture): fc.Arbitrary<FuzzRequest> => {
  const { published, tokens: known } = fixture;
  return fc.constantFrom(...fixture.candidates).chain((candidate) =>
    fc
      .record({
        name: fc.oneof({ weight: 6, arbitrary: fc.constant(candidate.name) }, { weight: 1, arbitrary: fc.constant(published.name) }, { weight: 1, arbitrary: wireSegment(hostileSegment) }),
        version: fc.oneof({ weight: 6, arbitrary: fc.constant(candidate.version) }, { weight: 1, arbitrary: fc.constant(published.version) }, { weight: 1, arbitrary: wireSegment(hostileSegment) }),
        query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('?tag=beta', '?team=platform', '?tag=latest&team=nope') }, { weight: 1, arbitrary: queryArbitrary }),
        headers: headersArbitrary(fixture),
        integrity: fc.constantFrom<'body' | 'candidate' | 'fuzzed'>('body', 'body', 'candidate', 'fuzzed'),
        tarball: fc.oneof({ weight: 5, arbitrary: mutatedPackage(candidate) }, { weight: 2, arbitrary: hostileMetadataPackage(candidate) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }) }),
        token: fc.constantFrom(known.owner, known.owner, known.publisher, known.member),
      })
      .map(({ name, version, query, headers, integrity, tarball, token }): FuzzRequest => ({
        method: 'PUT',
        path: `/v0.1/orgs/${fixture.org.org}/skills/${name}/versions/${version}`,
        pattern: '/orgs/:org/skills/:name/versions/:version',
        query,
        headers: {
          ...headers,
          authorization: `Bearer ${token}`,
          contentType: 'application/gzip',
          // `body`: what the publisher computes for these bytes, so the damage is judged past the integrity check.
          integrity: integrity === 'body' ? { fallback: candidate.integrity } : integrity === 'candidate' ? candidate.integrity : headers.integrity,
        },
        body: { kind: 'bytes', bytes: tarball },
      })),
  );
};

/** The integrity a publisher computes for `bytes` (undefined when they are not a package). */
async function integrityOf(bytes: Uint8Array): Promise<string | undefined> {
  try {
    return (await readPackage(bytes)).integrity;
  } catch {
    return undefined;
  }
}

function buildRequest(request: FuzzRequest, integrity: string | undefined): Request | undefined {
  const headers = new Headers();
  const { headers: picks } = request;
  try {
    if (picks.authorization !== undefined) headers.set('authorization', picks.authorization);
    if (picks.contentType !== undefined) headers.set('content-type', picks.contentType);
    if (picks.contentLength !== undefined) headers.set('content-length', picks.contentLength);
    if (integrity !== undefined) headers.set('x-skillsync-integrity', integrity);
    if (picks.signature !== undefined) headers.set('x-skillsync-signature', picks.signature);
    for (const [name, value] of picks.other) headers.append(name, value);
  } catch {
    return undefined;
  }
  const method = request.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' || request.body.kind === 'none' ? undefined : request.body.kind === 'text' ? request.body.text : request.body.bytes;
  try {
    const init: RequestInit = { method: request.method, headers, ...(body === undefined ? {} : { body, duplex: 'half' }) };
    return new Request(`http://localhost${request.path}${request.query}`, init);
  } catch {
    // Not a request the Fetch API can express (a `//` host, an odd method): nothing a client could send either.
    return undefined;
  }
}

/** The route a path names, as Hono matches it (literal segments after decodeURI, a parameter any non-empty segment). */
function routeOf(pathname: string): Route | undefined {
  const segments = pathname.split('/').slice(1);
  if (segments[0] !== 'v0.1') return undefined;
  const rest = segments.slice(1);
  return ROUTES.find((route) => {
    const parts = route.pattern.split('/').slice(1);
    return parts.length === rest.length && parts.every((part, index) => (part.startsWith(':') ? rest[index] !== '' : safeDecodeUri(rest[index] ?? '') === part));
  });
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+/;

interface Checker {
  readonly server: TestServer;
  readonly fixture: Fixture;
}

async function countRows(server: TestServer): Promise<Record<string, number>> {
  const columns = STATE_TABLES.map((table) => sql`(select count(*) from ${sql.table(table)}) as ${sql.ref(table)}`);
  const result = await sql<Record<string, number | string>>`select ${sql.join(columns)}`.execute(server.context.db);
  const row = result.rows[0] ?? {};
  return Object.fromEntries(STATE_TABLES.map((table) => [table, Number(row[table])]));
}

/** Sends one fuzzed request and checks every property of the answer. */
async function exercise({ server, fixture }: Checker, request: FuzzRequest): Promise<void> {
  const picked = request.headers.integrity;
  const integrity = typeof picked === 'object' ? ((request.body.kind === 'bytes' ? await integrityOf(request.body.bytes) : undefined) ?? picked.fallback) : picked;
  const built = buildRequest(request, integrity);
  if (built === undefined) return;
  const url = new URL(built.url);
  const before = await countRows(server);
  const response = await server.app.request(built);
  const method = built.method;
  const where = `${method} ${url.pathname.slice(0, 200)}${url.search.slice(0, 100)} → ${response.status}`;

  expect(response.status, where).toBeLessThan(500);
  const contentType = response.headers.get('content-type') ?? '';
  let text = '';
  // An event stream never ends: its head is all there is to check.
  if (contentType.startsWith('text/event-stream')) await response.body?.cancel();
  else text = Buffer.from(await response.arrayBuffer()).toString(contentType.startsWith('application/gzip') ? 'latin1' : 'utf8');

  const secrets = Object.values(fixture.tokens).flatMap((token) => [token, hashApiToken(token)]);
  const headerText = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n');
  for (const secret of secrets) {
    expect(text.includes(secret), `${where}: a token or its hash in the body`).toBe(false);
    expect(headerText.includes(secret), `${where}: a token or its hash in a header`).toBe(false);
  }
  expect(STACK.test(text) && !contentType.startsWith('application/gzip'), `${where}: a stack or source path in the body: ${text.slice(0, 300)}`).toBe(false);

  if (response.status >= 400) {
    if (method !== 'HEAD') {
      const parsed = errorBody.safeParse(JSON.parse(text));
      expect(parsed.success, `${where}: not the error body: ${text.slice(0, 300)}`).toBe(true);
      const code = parsed.data?.error.code ?? '';
      expect(isErrorCode(code) && code !== 'INTERNAL', `${where}: ${code} is not in the catalogue`).toBe(true);
      const expected = STATUS_OF[code as ErrorCode] ?? 400;
      expect(response.status, `${where}: ${code}`).toBe(expected);
      expect(contentType, where).toMatch(/^application\/json/);
    }
    if (method !== 'GET' && method !== 'HEAD') expect(await countRows(server), `${where}: a refused request changed rows`).toEqual(before);
  } else {
    const route = routeOf(url.pathname);
    const success = route?.methods[(method === 'HEAD' ? 'GET' : method) as Method];
    expect(success, `${where}: a success on no documented route`).toBeDefined();
    if (method === 'HEAD' || success === undefined) return;
    if (success === 'empty') expect([response.status, text]).toEqual([204, '']);
    else if (success === 'gzip') expect(response.status === 304 || contentType === 'application/gzip', where).toBe(true);
    else if (success === 'event-stream') expect(contentType, where).toMatch(/^text\/event-stream/);
    else if (success === 'ndjson') expect(contentType, where).toMatch(/^application\/x-ndjson/);
    else {
      const parsed = success.safeParse(JSON.parse(text));
      expect(parsed.success, `${where}: the body does not match the API: ${parsed.error?.message ?? ''}`).toBe(true);
    }
  }
}

/** Still answering, and the audit log still takes records: a record it cannot write would hold up every one after it. */
async function expectHealthy(server: TestServer, engine: ServerEngine): Promise<void> {
  const response = await server.call('GET', '/v0.1/health');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', database: engine });
  await server.context.audit.flush();
  expect(server.context.audit.pending).toBe(0);
}

/** Every version row has its package, and the package is the one the row describes: what a half-done publish would break. */
async function expectWholeVersions(server: TestServer): Promise<void> {
  const versions = await server.context.db.selectFrom('skill_versions').select(['name', 'version', 'integrity', 'size']).execute();
  for (const row of versions) {
    const bytes = await server.context.blobs.get(row.integrity);
    expect(bytes?.byteLength, `${row.name}@${row.version}`).toBe(row.size);
    expect((await readPackage(bytes ?? new Uint8Array())).integrity).toBe(row.integrity);
  }
}


describe.each(['sqlite', 'postgres'] as const)('the API under fuzzing (%s)', (engine) => {
  let server: TestServer;
  let published: PackedSkill;
  let candidates: PackedSkill[];

  beforeAll(async () => {
    // The rate limit is tested elsewhere; here it would only turn fuzzed requests into 429s.
    server = await openTestServer(engine, { limits: { requestsPerMinute: 10_000_000 } });
    published = await pack('demo-skill', '1.0.0');
    candidates = await Promise.all(Array.from({ length: CANDIDATES }, (_, index) => pack('fuzz-skill', `2.0.${index}`)));
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers any request on any route with a documented body and status, never a 5xx, a token or a stack', async () => {
    const fixture = await seedOrg(server, published, candidates);
    await fc.assert(
      fc.asyncProperty(requestArbitrary(fixture), (request) => exercise({ server, fixture }, request)),
      { numRuns: RUNS[engine].any * scale, ...replay },
    );
    await expectHealthy(server, engine);
    await expectWholeVersions(server);
  });

  it('publishes a damaged or mislabelled package whole or not at all', async () => {
    const fixture = await seedOrg(server, published, candidates);
    await fc.assert(
      fc.asyncProperty(publishArbitrary(fixture), (request) => exercise({ server, fixture }, request)),
      { numRuns: RUNS[engine].publish * scale, ...replay },
    );
    await expectHealthy(server, engine);
    await expectWholeVersions(server);
  });

  it('lets one of several concurrent publishes of a version win; the others get 409, none a 5xx', async () => {
    // A fresh org: none of the candidates is published in it yet.
    const fixture = await seedOrg(server, published, candidates);
    const taken = new Set<string>();
    const { owner, publisher } = fixture.tokens;
    const put = (packed: PackedSkill, token: string): Promise<Response> =>
      Promise.resolve(
        server.app.request(`/v0.1/orgs/${fixture.org.org}/skills/${packed.name}/versions/${packed.version}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip', 'x-skillsync-integrity': packed.integrity },
          body: packed.tarball,
        }),
      );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.nat(), async (racers, pick) => {
        const packed = fixture.candidates.find((candidate) => !taken.has(candidate.version));
        if (packed === undefined) return;
        taken.add(packed.version);
        const statuses = await Promise.all(Array.from({ length: racers }, (_, index) => put(packed, (pick + index) % 2 === 0 ? owner : publisher).then((response) => response.status)));
        expect(statuses.filter((status) => status === 201), JSON.stringify(statuses)).toHaveLength(1);
        expect(statuses.filter((status) => status !== 201).every((status) => status === 409), JSON.stringify(statuses)).toBe(true);
      }),
      { numRuns: Math.min(CANDIDATES, 10 * scale), ...replay },
    );
    await expectWholeVersions(server);
  });
});

/**
 * What only a socket can carry: a content-length that lies (longer than the body, then
 * the connection closes; shorter, so the rest reads as the next request), chunked bodies
 * cut off, bytes that are not HTTP. Node's parser answers some itself (400, no JSON
 * body: not the API's); the API must never answer 5xx, and must keep serving.
 */
describe('the API over a socket, with framing that lies', () => {
  let running: RunningServer;
  let root: string;
  let token: string;
  let org: string;

  beforeAll(async () => {
    root = await makeTempDir('skillsync-fuzz-socket-');
    running = await startServer({ env: createEnv({ home: root, cwd: root }), database: ':memory:', listen: { host: '127.0.0.1', port: 0 } });
    const created = await initOrg(running.context, { org: 'acme', owner: 'alice' });
    token = created.token.token;
    org = created.org;
  });
  afterAll(async () => {
    await running.close();
  });

  /** Writes `bytes`, optionally half-closes, and returns what came back before the server closed or `ms` passed. */
  const exchange = (bytes: Buffer, options: { readonly end: boolean; readonly ms?: number }): Promise<string> =>
    new Promise((resolve) => {
      const { port } = new URL(running.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      const finish = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer);
      };
      const timer = setTimeout(finish, options.ms ?? 1500);
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('close', finish);
      socket.on('error', finish);
      socket.write(bytes, () => {
        if (options.end) socket.end();
      });
    });

  const statusesOf = (answer: string): number[] => [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));

  it('never answers 5xx to a lying or cut-off request, and keeps serving', async () => {
    const packed = await pack('socket-skill', '1.0.0');
    const publishHead = (length: number | string, extra = ''): string =>
      `PUT /v0.1/orgs/${org}/skills/socket-skill/versions/1.0.0 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/gzip\r\nx-skillsync-integrity: ${packed.integrity}\r\ncontent-length: ${length}\r\n${extra}\r\n`;
    const jsonHead = (length: number | string): string =>
      `POST /v0.1/orgs/${org}/teams HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    const tarball = Buffer.from(packed.tarball);
    const cases: readonly { readonly bytes: Buffer; readonly end: boolean }[] = [
      { bytes: Buffer.concat([Buffer.from(publishHead(tarball.length + 100)), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(tarball.length - 10)), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(10 ** 12)), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead('abc')), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(-5)), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(tarball.length, `content-length: ${tarball.length}\r\n`)), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(tarball.length, 'transfer-encoding: chunked\r\n')), tarball]), end: true },
      { bytes: Buffer.concat([Buffer.from(publishHead(tarball.length).replace(/content-length: \d+\r\n/, 'transfer-encoding: chunked\r\n')), Buffer.from('ffff\r\n'), tarball.subarray(0, 50)]), end: true },
      { bytes: Buffer.from(`${jsonHead(100)}{"team":"half"`), end: true },
      { bytes: Buffer.from(`${jsonHead(5)}{"team":"socket-team"}`), end: true },
      { bytes: Buffer.from(`${jsonHead(2 * 1024 * 1024)}{"team":`), end: true },
      { bytes: Buffer.from('GET /v0.1/health HTTP/1.1\r\nhost: x\r\n\r\nGARBAGE\r\n\r\n'), end: true },
      { bytes: Buffer.from(`GET /v0.1/${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`), end: true },
      { bytes: Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'), end: true },
    ];
    for (const { bytes, end } of cases) {
      const answer = await exchange(bytes, { end });
      const statuses = statusesOf(answer);
      expect(statuses.filter((status) => status >= 500), answer.slice(0, 500)).toEqual([]);
      expect(answer).not.toContain(token);
    }
    // Random bytes after a valid request line and headers.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 2000 }), async (bytes, length) => {
        const answer = await exchange(Buffer.concat([Buffer.from(jsonHead(length)), bytes]), { end: true, ms: 500 });
        expect(statusesOf(answer).filter((status) => status >= 500)).toEqual([]);
      }),
      { numRuns: 40 * scale, ...replay },
    );
    const healthy = await fetch(`${running.url}/v0.1/health`);
    expect(healthy.status).toBe(200);
    // No request above published anything half: a version, if any, has its bytes.
    const versions = await running.context.db.selectFrom('skill_versions').leftJoin('blobs', 'blobs.integrity', 'skill_versions.integrity').select(['blobs.size', 'skill_versions.size as declared']).execute();
    for (const row of versions) expect(row.size).toBe(row.declared);
  });
});

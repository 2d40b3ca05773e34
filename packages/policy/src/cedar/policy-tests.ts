import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { byteOrder, parseYamlText, SkillsyncError } from '@skillsync/core';
import { ACTION_RESOURCE_TYPE, POLICY_ACTIONS, type AuthorizationRequest, type PolicyAction, type PolicyEngine, type PolicyResourceType } from './engine.js';

/** One expectation about the policies of a folder. */
export interface PolicyTestCase {
  readonly name: string;
  readonly principal: AuthorizationRequest['principal'];
  readonly action: PolicyAction;
  readonly resource: AuthorizationRequest['resource'];
  readonly context: AuthorizationRequest['context'];
  readonly expect: 'allow' | 'deny';
  /** When given, the decision's policy ids must be exactly these (in any order). */
  readonly policies?: readonly string[];
  /** Where the case is written, for reports. */
  readonly file?: string;
  readonly line?: number;
}

export interface PolicyTestResult {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly expect: 'allow' | 'deny';
  readonly decision: 'allow' | 'deny';
  readonly policyIds: readonly string[];
  readonly errors: readonly string[];
  readonly ok: boolean;
  /** Why it failed, in one sentence. */
  readonly failure?: string;
}

export interface PolicyTestReport {
  readonly ok: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly PolicyTestResult[];
}

/** `<anything>.test.yaml` (e.g. `tools.cedar.test.yaml`) or `policy-tests.yaml`, `.yml` too. */
export function isPolicyTestFile(file: string): boolean {
  return /(?:\.test\.ya?ml|^policy-tests\.ya?ml)$/.test(path.basename(file));
}

/** The policy test files of a folder, sorted. */
export async function findPolicyTestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && isPolicyTestFile(entry.name))
    .map((entry) => entry.name)
    .sort(byteOrder)
    .map((name) => path.join(dir, name));
}

const MAX_TEST_FILE_BYTES = 1024 * 1024;
const DEFAULT_CLIENT = 'test';

/** Reads and parses a policy test file (POLICY_TEST_INVALID with its line when malformed). */
export async function loadPolicyTests(file: string): Promise<PolicyTestCase[]> {
  const info = await stat(file).catch((error: unknown) => {
    throw new SkillsyncError('FILE_NOT_FOUND', `${file} does not exist.`, { details: { path: file }, cause: error });
  });
  if (info.size > MAX_TEST_FILE_BYTES) {
    throw new SkillsyncError('POLICY_TEST_INVALID', `${file} is over the ${MAX_TEST_FILE_BYTES}-byte limit of a policy test file.`, { details: { path: file } });
  }
  return parsePolicyTests(await readFile(file, 'utf8'), { file });
}

const caseKeys = new Set(['name', 'principal', 'action', 'resource', 'context', 'expect', 'policies']);

/**
 * Parses a policy test file: a YAML list of `{ name, principal: { user, teams?, roles? },
 * action, resource: { type?, id, connector? }, context?: { client?, arguments? },
 * expect: allow | deny, policies?: [ids] }`. `resource.type` defaults to the action's
 * (callTool → Tool, …); `context.client` to "test". Throws POLICY_TEST_INVALID with
 * `file:line` at the first problem.
 */
export function parsePolicyTests(text: string, options: { file?: string } = {}): PolicyTestCase[] {
  const file = options.file ?? 'policy-tests.yaml';
  const parsed = parseYamlText(text);
  if (!parsed.ok) {
    throw invalid(file, parsed.location?.line, `Invalid YAML: ${parsed.message}`);
  }
  const { value, locate } = parsed;
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(file, locate([])?.line, 'A policy test file is a YAML list of test cases.');

  return value.map((raw: unknown, index): PolicyTestCase => {
    const line = locate([index])?.line;
    const fail = (field: string | undefined, message: string): SkillsyncError =>
      invalid(file, (field === undefined ? undefined : locate([index, ...field.split('.')])?.line) ?? line, `test ${index + 1}${field === undefined ? '' : ` \`${field}\``}: ${message}`);
    if (!isRecord(raw)) throw fail(undefined, 'must be a mapping with name, principal, action, resource and expect.');
    for (const key of Object.keys(raw)) {
      if (!caseKeys.has(key)) throw fail(key, `unknown key (expected one of ${[...caseKeys].join(', ')}).`);
    }
    const name = raw.name;
    if (typeof name !== 'string' || name === '') throw fail('name', 'must be a non-empty string.');

    const principal = raw.principal;
    if (!isRecord(principal) || typeof principal.user !== 'string') throw fail('principal', 'must be a mapping with `user:` (and optionally `teams:` and `roles:` lists).');
    const teams = stringList(principal.teams);
    const roles = stringList(principal.roles);
    if (teams === null) throw fail('principal.teams', 'must be a list of strings.');
    if (roles === null) throw fail('principal.roles', 'must be a list of strings.');

    const action = raw.action;
    if (typeof action !== 'string' || !(POLICY_ACTIONS as readonly string[]).includes(action)) throw fail('action', `must be one of ${POLICY_ACTIONS.join(', ')}.`);
    const policyAction = action as PolicyAction;

    const resource = raw.resource;
    if (!isRecord(resource) || typeof resource.id !== 'string') throw fail('resource', 'must be a mapping with `id:` (and `type:`, `connector:`).');
    const type = resource.type ?? ACTION_RESOURCE_TYPE[policyAction];
    if (type !== ACTION_RESOURCE_TYPE[policyAction]) throw fail('resource.type', `${action} applies to ${ACTION_RESOURCE_TYPE[policyAction]}, not ${typeof type === 'string' ? type : JSON.stringify(type)}.`);
    if (resource.connector !== undefined && typeof resource.connector !== 'string') throw fail('resource.connector', 'must be a string.');

    const context = raw.context ?? {};
    if (!isRecord(context)) throw fail('context', 'must be a mapping with `client:` and optionally `arguments:`.');
    if (context.client !== undefined && typeof context.client !== 'string') throw fail('context.client', 'must be a string.');
    if (context.arguments !== undefined && !isRecord(context.arguments)) throw fail('context.arguments', 'must be a mapping.');

    if (raw.expect !== 'allow' && raw.expect !== 'deny') throw fail('expect', 'must be allow or deny.');
    const policies = raw.policies === undefined ? undefined : stringList(raw.policies);
    if (policies === null) throw fail('policies', 'must be a list of policy ids.');

    return {
      name,
      principal: { user: principal.user, ...(teams === undefined ? {} : { teams }), ...(roles === undefined ? {} : { roles }) },
      action: policyAction,
      resource: { type: type as PolicyResourceType, id: resource.id, ...(typeof resource.connector === 'string' ? { connector: resource.connector } : {}) },
      context: {
        client: typeof context.client === 'string' ? context.client : DEFAULT_CLIENT,
        ...(isRecord(context.arguments) ? { arguments: context.arguments } : {}),
      },
      expect: raw.expect,
      ...(policies === undefined ? {} : { policies }),
      file,
      ...(line === undefined ? {} : { line }),
    };
  });
}

/** Runs each case through the engine; a case fails on another decision, or other deciding policies when it names them. */
export function runPolicyTests(engine: PolicyEngine, cases: readonly PolicyTestCase[]): PolicyTestReport {
  const results = cases.map((testCase): PolicyTestResult => {
    const { decision, policyIds, errors } = engine.authorize({
      principal: testCase.principal,
      action: testCase.action,
      resource: testCase.resource,
      context: testCase.context,
    });
    let failure: string | undefined;
    if (decision !== testCase.expect) {
      failure = `expected ${testCase.expect}, got ${decision}${policyIds.length > 0 ? ` (by ${policyIds.join(', ')})` : decision === 'deny' ? ' (no permit matched)' : ''}`;
    } else if (testCase.policies !== undefined && !sameSet(testCase.policies, policyIds)) {
      failure = `expected ${decision} by ${testCase.policies.join(', ') || 'no policy'}, got it by ${policyIds.join(', ') || 'no policy'}`;
    }
    return {
      name: testCase.name,
      ...(testCase.file === undefined ? {} : { file: testCase.file }),
      ...(testCase.line === undefined ? {} : { line: testCase.line }),
      expect: testCase.expect,
      decision,
      policyIds,
      errors,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
    };
  });
  const failed = results.filter((result) => !result.ok).length;
  return { ok: failed === 0, passed: results.length - failed, failed, results };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

function stringList(value: unknown): string[] | undefined | null {
  if (value === undefined) return undefined;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(file: string, line: number | undefined, message: string): SkillsyncError {
  return new SkillsyncError('POLICY_TEST_INVALID', `${file}${line === undefined ? '' : `:${line}`}: ${message}`, {
    details: { file, ...(line === undefined ? {} : { line }) },
  });
}

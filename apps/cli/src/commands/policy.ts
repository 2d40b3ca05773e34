import { stat } from 'node:fs/promises';
import { errorCatalogue, type ErrorCode, isSkillsyncError, pathFor, toSkillsyncError, type Env } from '@skillsync/core';
import {
  checkPolicies,
  createPolicyEngine,
  DEFAULT_POLICY_FILE,
  findPolicyTestFiles,
  isPolicyTestFile,
  loadPolicyFiles,
  loadPolicyTests,
  policyFilesAt,
  POLICY_FILE_EXTENSION,
  runPolicyTests,
  type PolicyFile,
  type PolicyTestResult,
} from '@skillsync/policy';
import type { policyCheckOptions, policyTestOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, plural, renderFinding, type FindingLike } from '../format.js';
import { policyDirs } from '../policy-dirs.js';
import type { Ui } from '../ui.js';

/** A problem with a file (Cedar's findings, a file that cannot be read, a malformed test file). */
export interface PolicyProblem extends FindingLike {
  readonly policyId?: string;
}

export interface CheckedPolicySet {
  /** The folder or file given (absolute), or `<built-in default policy>`. */
  readonly path: string;
  readonly scope?: 'user' | 'project';
  readonly builtIn: boolean;
  readonly files: readonly string[];
  readonly policies: number;
  readonly ok: boolean;
  readonly findings: readonly PolicyProblem[];
}

export interface PolicyCheckData {
  readonly sets: readonly CheckedPolicySet[];
  /** Where the default search looked, when no paths were given. */
  readonly searched?: readonly string[];
  readonly summary: { readonly sets: number; readonly files: number; readonly policies: number; readonly errors: number; readonly warnings: number; readonly failed: number };
}

export interface TestedPolicySet {
  readonly path: string;
  readonly scope?: 'user' | 'project';
  /** The policy files the tests ran against; empty when they ran against the built-in default. */
  readonly policyFiles: readonly string[];
  readonly builtInDefault: boolean;
  readonly testFiles: readonly string[];
  readonly ok: boolean;
  readonly findings: readonly PolicyProblem[];
  readonly results: readonly PolicyTestResult[];
}

export interface PolicyTestData {
  readonly sets: readonly TestedPolicySet[];
  readonly searched?: readonly string[];
  readonly summary: { readonly tests: number; readonly passed: number; readonly failed: number; readonly errors: number };
}

const BUILT_IN = DEFAULT_POLICY_FILE.file;

/** `skillsync policy check [paths…]`: every policy set validated; exit 1 on any error finding. */
export const policyCheckHandler = defineHandler({
  run: async ({ env, paths, positionals }: CommandInput<typeof policyCheckOptions>) => {
    const p = pathFor(env);
    const explicit = positionals.map((target) => ({ path: p.resolve(env.cwd, target), scope: undefined }));
    const defaults = explicit.length === 0 ? await policyDirs(env, paths) : [];
    const targets = explicit.length > 0 ? explicit : await existingWithPolicies(defaults);

    const sets: CheckedPolicySet[] = [];
    for (const target of targets) sets.push(await checkSet(target.path, target.scope, explicit.length > 0));
    if (sets.length === 0) {
      // Nothing configured: the gateway enforces the built-in default, so that is what is checked.
      const result = checkPolicies([DEFAULT_POLICY_FILE]);
      sets.push({ path: BUILT_IN, builtIn: true, files: [BUILT_IN], policies: result.policies.length, ok: result.ok, findings: result.findings });
    }
    const findings = sets.flatMap((set) => set.findings);
    const data: PolicyCheckData = {
      sets,
      ...(explicit.length === 0 ? { searched: defaults.map((dir) => dir.path) } : {}),
      summary: {
        sets: sets.length,
        files: sets.reduce((sum, set) => sum + set.files.length, 0),
        policies: sets.reduce((sum, set) => sum + set.policies, 0),
        errors: findings.filter((finding) => finding.severity === 'error').length,
        warnings: findings.filter((finding) => finding.severity === 'warning').length,
        failed: sets.filter((set) => !set.ok).length,
      },
    };
    return { ok: data.summary.failed === 0, data };
  },
  render: (data: PolicyCheckData, ui, env) => {
    const lines: string[] = [];
    for (const set of data.sets) {
      if (ui.quiet && set.findings.length === 0) continue;
      const label = set.builtIn ? 'built-in default policy' : displayPath(env, set.path);
      const scope = set.scope === undefined ? '' : ui.dim(` (${set.scope})`);
      const counts = ui.dim(`: ${set.builtIn ? '' : `${plural(set.files.length, 'file')}, `}${plural(set.policies, 'policy', 'policies')}`);
      lines.push(`${set.ok ? ui.green('✓') : ui.red('✗')} ${ui.bold(label)}${scope}${counts}`);
      for (const finding of set.findings) lines.push(renderFinding(finding, env, ui));
    }
    const { summary } = data;
    if (data.searched !== undefined && data.sets.every((set) => set.builtIn)) {
      lines.push(ui.dim(`No policy files in ${data.searched.map((dir) => displayPath(env, dir)).join(' or ')}: the gateway enforces the built-in default policy.`));
    }
    const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}`;
    const verdict = summary.failed === 0 ? ui.green(`${plural(summary.sets, 'policy set')} valid`) : ui.red(`${summary.failed} of ${plural(summary.sets, 'policy set')} failed`);
    if (!ui.quiet || summary.failed > 0) lines.push(`${verdict}: ${counts}`);
    return lines.join('\n');
  },
});

/** `skillsync policy test [paths…]`: the test cases of each policy folder; exit 1 on any failure. */
export const policyTestHandler = defineHandler({
  run: async ({ env, paths, positionals }: CommandInput<typeof policyTestOptions>) => {
    const p = pathFor(env);
    const groups = new Map<string, { scope: 'user' | 'project' | undefined; tests: Set<string>; explicit: boolean }>();
    const add = (dir: string, scope: 'user' | 'project' | undefined, tests: readonly string[], explicit: boolean): void => {
      const group = groups.get(dir) ?? { scope, tests: new Set<string>(), explicit };
      for (const test of tests) group.tests.add(test);
      groups.set(dir, group);
    };
    const defaults = positionals.length === 0 ? await policyDirs(env, paths) : [];
    for (const target of positionals.map((item) => p.resolve(env.cwd, item))) {
      const info = await stat(target).catch(() => undefined);
      if (info?.isDirectory() === true) add(target, undefined, await findPolicyTestFiles(target), true);
      else if (isPolicyTestFile(target) || info === undefined) add(p.dirname(target), undefined, [target], true);
      else {
        // A policy file: the tests named after it.
        const siblings = await findPolicyTestFiles(p.dirname(target));
        add(p.dirname(target), undefined, siblings.filter((file) => p.basename(file).startsWith(`${p.basename(target)}.test.`)), true);
      }
    }
    for (const dir of defaults) {
      const tests = await findPolicyTestFiles(dir.path);
      if (tests.length > 0) add(dir.path, dir.scope, tests, false);
    }

    const sets: TestedPolicySet[] = [];
    for (const [dir, group] of groups) sets.push(await testSet(dir, group.scope, [...group.tests].sort()));
    const results = sets.flatMap((set) => set.results);
    const errors = sets.flatMap((set) => set.findings).filter((finding) => finding.severity === 'error').length;
    const failed = results.filter((result) => !result.ok).length;
    const data: PolicyTestData = {
      sets,
      ...(positionals.length === 0 ? { searched: defaults.map((dir) => dir.path) } : {}),
      summary: { tests: results.length, passed: results.length - failed, failed, errors },
    };
    return { ok: failed === 0 && errors === 0, data };
  },
  render: (data: PolicyTestData, ui, env) => renderTests(data, ui, env),
});

function renderTests(data: PolicyTestData, ui: Ui, env: Env): string {
  const lines: string[] = [];
  for (const set of data.sets) {
    const against = set.builtInDefault ? 'the built-in default policy' : plural(set.policyFiles.length, 'policy file');
    lines.push(`${ui.bold(displayPath(env, set.path))}${set.scope === undefined ? '' : ui.dim(` (${set.scope})`)} ${ui.dim(`against ${against}`)}`);
    for (const finding of set.findings) lines.push(renderFinding(finding, env, ui));
    for (const result of set.results) {
      if (result.ok) {
        if (!ui.quiet) lines.push(`  ${ui.green('✓')} ${result.name} ${ui.dim(`(${result.decision})`)}`);
        continue;
      }
      const where = result.file === undefined ? '' : ui.dim(`\n      at ${displayPath(env, result.file)}${result.line === undefined ? '' : `:${result.line}`}`);
      const errors = result.errors.length === 0 ? '' : ui.dim(`\n      errors: ${result.errors.join('; ')}`);
      lines.push(`  ${ui.red('✗')} ${result.name}: ${result.failure ?? 'failed'}${where}${errors}`);
    }
  }
  const { summary } = data;
  if (data.sets.length === 0) {
    const where = data.searched === undefined ? '' : ` in ${data.searched.map((dir) => displayPath(env, dir)).join(' or ')}`;
    lines.push(`No policy tests found${where}. Write cases in <name>.test.yaml next to the policies (docs/policy.md).`);
    return lines.join('\n');
  }
  const verdict = summary.failed === 0 && summary.errors === 0 ? ui.green(`${plural(summary.tests, 'test')} passed`) : ui.red(`${plural(summary.tests, 'test')}: ${summary.passed} passed, ${summary.failed} failed`);
  lines.push(`${verdict}${summary.errors > 0 ? ui.red(` (${plural(summary.errors, 'error')})`) : ''}`);
  return lines.join('\n');
}


async function existingWithPolicies<T extends { path: string }>(dirs: readonly T[]): Promise<T[]> {
  const found: T[] = [];
  for (const dir of dirs) {
    const files = await policyFilesAt(dir.path).catch(() => []);
    if (files.length > 0) found.push(dir);
  }
  return found;
}

/** Reads the policy files of a path one by one, so an unreadable or oversized file is a finding beside the others. */
async function readSet(target: string, explicit: boolean): Promise<{ files: PolicyFile[]; findings: PolicyProblem[] }> {
  const findings: PolicyProblem[] = [];
  let paths: string[] = [];
  try {
    paths = await policyFilesAt(target);
  } catch (error) {
    findings.push(problemOf(error, target));
  }
  if (paths.length === 0 && findings.length === 0 && explicit) {
    findings.push(problem('POLICY_NOT_FOUND', target, `No *${POLICY_FILE_EXTENSION} policy files in ${target}.`));
  }
  const files: PolicyFile[] = [];
  for (const file of paths) {
    try {
      files.push(...(await loadPolicyFiles(file)));
    } catch (error) {
      findings.push(problemOf(error, file));
    }
  }
  return { files, findings };
}

async function checkSet(target: string, scope: 'user' | 'project' | undefined, explicit: boolean): Promise<CheckedPolicySet> {
  const { files, findings } = await readSet(target, explicit);
  const result = checkPolicies(files);
  const all = [...findings, ...result.findings];
  return {
    path: target,
    ...(scope === undefined ? {} : { scope }),
    builtIn: false,
    files: files.map((file) => file.file ?? file.id),
    policies: result.policies.length,
    ok: all.every((finding) => finding.severity !== 'error'),
    findings: all,
  };
}

async function testSet(dir: string, scope: 'user' | 'project' | undefined, testFiles: readonly string[]): Promise<TestedPolicySet> {
  const { files, findings } = await readSet(dir, false);
  const builtInDefault = files.length === 0 && findings.length === 0;
  const base = { path: dir, ...(scope === undefined ? {} : { scope }), policyFiles: files.map((file) => file.file ?? file.id), builtInDefault, testFiles };
  if (testFiles.length === 0) findings.push(problem('POLICY_NOT_FOUND', dir, `No policy test files (*.test.yaml or policy-tests.yaml) for ${dir}.`, 'Write test cases in <name>.test.yaml next to the policies; see docs/policy.md.'));
  const checked = checkPolicies(builtInDefault ? [DEFAULT_POLICY_FILE] : files);
  findings.push(...checked.findings.filter((finding) => finding.severity === 'error'));
  if (findings.some((finding) => finding.severity === 'error')) return { ...base, ok: false, findings, results: [] };

  const engine = createPolicyEngine({ policies: builtInDefault ? [DEFAULT_POLICY_FILE] : files });
  const results: PolicyTestResult[] = [];
  for (const file of testFiles) {
    try {
      results.push(...runPolicyTests(engine, await loadPolicyTests(file)).results);
    } catch (error) {
      findings.push(problemOf(error, file));
    }
  }
  return { ...base, ok: findings.length === 0 && results.every((result) => result.ok), findings, results };
}

function problem(code: ErrorCode, file: string, message: string, hint?: string): PolicyProblem {
  return { code, severity: 'error', message, file, hint: hint ?? errorCatalogue[code].hint };
}

/** A thrown coded error as a finding of `file`: its `file:line:` prefix becomes the location. */
function problemOf(error: unknown, file: string): PolicyProblem {
  if (!isSkillsyncError(error)) throw error;
  const failure = toSkillsyncError(error);
  const details = failure.details;
  const line = typeof details.line === 'number' ? details.line : undefined;
  const at = typeof details.file === 'string' ? details.file : typeof details.path === 'string' ? details.path : file;
  const message = failure.message.startsWith(`${at}:`) ? failure.message.slice(at.length).replace(/^(?::\d+)*:\s*/, '') : failure.message;
  return { code: failure.code, severity: 'error', message, file: at, ...(line === undefined ? {} : { line }), hint: failure.hint };
}

import { pathFor, type Env, type SerializedError } from '@skillsync/core';
import type { Ui } from './ui.js';

/** A path as a person wants to read it: relative to where they are, when that is shorter. */
export function displayPath(env: Env, file: string): string {
  const p = pathFor(env);
  const relative = p.relative(env.cwd, file);
  if (relative === '') return '.';
  return relative.length < file.length && !p.isAbsolute(relative) ? relative : file;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The shape every finding-like value shares (skill findings, manifest findings). */
export interface FindingLike {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint: string;
}

/** `path:line:col  error  CODE  message` with the hint on the next line, like a compiler. */
export function renderFinding(finding: FindingLike, env: Env, ui: Ui): string {
  const where = [displayPath(env, finding.file), finding.line, finding.line === undefined ? undefined : finding.column]
    .filter((part) => part !== undefined)
    .join(':');
  const severity = finding.severity === 'error' ? ui.red('error') : ui.yellow('warning');
  return `  ${ui.bold(where)}  ${severity} ${finding.code}: ${finding.message}\n    ${ui.dim('hint:')} ${finding.hint}`;
}

/** Two aligned columns, for `key  value` blocks. */
export function renderPairs(pairs: readonly (readonly [string, string])[], ui: Ui, indent = '  '): string[] {
  const width = Math.max(0, ...pairs.map(([key]) => key.length)) + 2;
  return pairs.map(([key, value]) => `${indent}${ui.dim(key.padEnd(width))}${value}`);
}

/** A problem a library returned as a value (not thrown): `✗ name: CODE: message` and its hint. */
export function renderProblem(problem: SerializedError, ui: Ui): string {
  const name = typeof problem.details.name === 'string' ? `${problem.details.name}: ` : '';
  return `  ${ui.red('✗')} ${name}${ui.bold(problem.code)}: ${problem.message}\n    ${ui.dim('hint:')} ${problem.hint}`;
}

/**
 * Rows under a dimmed header, columns padded to their widest cell (the last column is
 * left ragged). `paint` colours a whole row, e.g. to mark what needs attention.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  ui: Ui,
  paint: (row: readonly string[], index: number) => (text: string) => string = () => (text) => text,
): string[] {
  // Plain loops: `status` renders thousands of rows in a process that runs once.
  const widths = header.map((title) => title.length);
  for (const row of rows) {
    for (let column = 0; column < Math.min(row.length, widths.length); column += 1) {
      const length = (row[column] ?? '').length;
      if (length > (widths[column] ?? 0)) widths[column] = length;
    }
  }
  const pad = (cells: readonly string[]): string => {
    let line = '';
    const last = cells.length - 1;
    for (let column = 0; column < last; column += 1) line += `${(cells[column] ?? '').padEnd(widths[column] ?? 0)}  `;
    return last < 0 ? line : line + (cells[last] ?? '');
  };
  const lines = new Array<string>(rows.length + 1);
  lines[0] = ui.dim(pad(header));
  for (let index = 0; index < rows.length; index += 1) lines[index + 1] = paint(rows[index] as readonly string[], index)(pad(rows[index] as readonly string[]));
  return lines;
}

/**
 * A path as short as it can be said without ambiguity: `./…` under the project root,
 * `~/…` under the home folder, absolute otherwise. The root wins because a project
 * usually sits inside HOME; pass `root: undefined` for paths that are the user's own.
 */
export function shortPath(env: Env, file: string, root?: string): string {
  const p = pathFor(env);
  const under = (base: string): string | undefined => {
    // The common case without path.relative, which resolves both paths again: status shows thousands.
    const prefix = base.endsWith(p.sep) ? base : `${base}${p.sep}`;
    if (file.startsWith(prefix) && !file.includes(`${p.sep}..`) && !file.includes(`${p.sep}.${p.sep}`)) return file.slice(prefix.length);
    const relative = p.relative(base, file);
    if (relative === '') return '';
    return relative === '..' || relative.startsWith(`..${p.sep}`) || p.isAbsolute(relative) ? undefined : relative;
  };
  const inRoot = root === undefined ? undefined : under(root);
  if (inRoot !== undefined) return inRoot === '' ? '.' : `.${p.sep}${inRoot}`;
  const inHome = under(env.home);
  if (inHome !== undefined) return inHome === '' ? '~' : `~${p.sep}${inHome}`;
  return file;
}

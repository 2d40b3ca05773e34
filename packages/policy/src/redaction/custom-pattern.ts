import { SkillsyncError } from '@skillsync/core';
import { DETECTOR_NAMES, regexDetector, type Detector } from './detectors.js';

/** An organisation's own pattern, e.g. `{ name: 'employee-id', pattern: 'EMP-\\d{6}' }`. */
export interface CustomPattern {
  /** Lowercase letters, digits and hyphens; shown in masks as `[REDACTED:<name>]`. */
  readonly name: string;
  /** JavaScript regular expression source. */
  readonly pattern: string;
  /** From `imsu` (`g` is always added). */
  readonly flags?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const RESERVED = new Set<string>([...DETECTOR_NAMES, 'oversize', 'too-deep']);
export const MAX_CUSTOM_PATTERN_LENGTH = 1000;

/**
 * Compiles a custom pattern or throws REDACTION_PATTERN_INVALID. Refused: bad syntax or
 * flags, a pattern that matches the empty string (it would mask between every
 * character), and nested quantifiers such as `(a+)+` or `(\w+\s?)*`, the usual cause
 * of catastrophic backtracking. Other slow shapes (overlapping alternatives under a
 * quantifier, like `(a|a)*`) are not detected: keep patterns simple and anchored on a
 * literal; each string is also capped in length before any pattern runs.
 */
export function compileCustomPattern(custom: CustomPattern): Detector {
  const fail = (message: string): SkillsyncError =>
    new SkillsyncError('REDACTION_PATTERN_INVALID', `Custom redaction pattern "${custom.name}": ${message}`, {
      details: { name: custom.name, pattern: custom.pattern, ...(custom.flags === undefined ? {} : { flags: custom.flags }) },
    });
  if (typeof custom.name !== 'string' || !NAME.test(custom.name)) throw fail('the name must be lowercase letters, digits and hyphens, starting with a letter (at most 64).');
  if (RESERVED.has(custom.name)) throw fail(`"${custom.name}" is the name of a built-in detector; choose another.`);
  if (typeof custom.pattern !== 'string' || custom.pattern === '') throw fail('the pattern is empty.');
  if (custom.pattern.length > MAX_CUSTOM_PATTERN_LENGTH) throw fail(`the pattern is longer than ${MAX_CUSTOM_PATTERN_LENGTH} characters.`);
  const flags = custom.flags ?? '';
  if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length) throw fail(`flags "${flags}" are not allowed; use any of i, m, s, u once each.`);
  let regex: RegExp;
  try {
    regex = new RegExp(custom.pattern, `${flags}g`);
  } catch (error) {
    throw fail(`it is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (new RegExp(custom.pattern, flags).test('')) throw fail('it matches the empty string.');
  const nested = findNestedQuantifier(custom.pattern);
  if (nested !== undefined) throw fail(`the group ending at character ${nested + 1} repeats something that already repeats (as in (a+)+), which can take exponential time; rewrite it without the nesting.`);
  return regexDetector(custom.name, regex);
}

/**
 * The index of a `)` closing a group that holds an unbounded quantifier (`*`, `+`,
 * `{n,}`) and is itself followed by a quantifier other than `?`; undefined when none.
 */
export function findNestedQuantifier(source: string): number | undefined {
  const stack: boolean[] = [];
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index];
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      stack.push(false);
    } else if (char === ')') {
      const repeats = stack.pop() ?? false;
      const next = source[index + 1];
      const quantified = next === '*' || next === '+' || (next === '{' && /^\{\d*,?\d*\}/.test(source.slice(index + 1)));
      if (repeats && quantified) return index;
      // The group's repetition belongs to its parent too.
      if ((repeats || (quantified && isUnbounded(source, index + 1))) && stack.length > 0) stack[stack.length - 1] = true;
    } else if (isUnbounded(source, index) && stack.length > 0) {
      stack[stack.length - 1] = true;
    }
  }
  return undefined;
}

/** Whether the quantifier at `index` repeats without bound: `*`, `+` or `{n,}`. */
function isUnbounded(source: string, index: number): boolean {
  const char = source[index];
  if (char === '*' || char === '+') return true;
  return char === '{' && /^\{\d+,\}/.test(source.slice(index));
}

import { byEntryKey, isSecretReference, sensitiveKeyPattern, SkillsyncError } from '@skillsync/core';
import { compileCustomPattern, type CustomPattern } from './custom-pattern.js';
import { builtInDetector, DETECTOR_NAMES, maskFor, type Detector, type DetectorName } from './detectors.js';

export type RedactionMode = 'mask' | 'block';

export interface RedactorOptions {
  /** Built-in detectors to run (default: all of DETECTOR_NAMES). */
  readonly detectors?: readonly DetectorName[];
  /** The organisation's own patterns, run after the built-in ones. */
  readonly custom?: readonly CustomPattern[];
  /** `block`: the caller should refuse a result with findings (the redactor still masks and never throws). Default `mask`. */
  readonly mode?: RedactionMode;
  /**
   * Longer strings are not scanned but replaced whole by `[REDACTED:oversize]` (finding
   * `oversize`): it bounds the time any pattern can take. Default 4 MiB characters.
   */
  readonly maxStringLength?: number;
  /** Deeper values are replaced by `[REDACTED:too-deep]` (finding `too-deep`). Default 64. */
  readonly maxDepth?: number;
}

export interface RedactionFinding {
  /** A detector name, a custom pattern's name, or `oversize` / `too-deep`. */
  readonly detector: string;
  readonly count: number;
}

export interface RedactTextResult {
  readonly text: string;
  /** Sorted by detector name; empty when nothing was found. */
  readonly findings: readonly RedactionFinding[];
  /** `mode` is `block` and something was found: the caller should refuse the content. */
  readonly blocked: boolean;
}

export interface RedactValueResult<T> {
  readonly value: T;
  readonly findings: readonly RedactionFinding[];
  readonly blocked: boolean;
}

export interface Redactor {
  readonly mode: RedactionMode;
  /** The detectors that run, in order (built-in, then custom). */
  readonly detectors: readonly string[];
  redactText(text: string): RedactTextResult;
  /**
   * Masks every string inside `value` (plain objects and arrays, e.g. an MCP
   * CallToolResult's `content[].text` and `structuredContent`). Never mutates `value`:
   * changed parts are copied, unchanged parts are returned as they are (the same object
   * when nothing was found). With `secret-assignment`, a string under a key that names a
   * secret (`password`, `apiKey`, `authorization`, …) is masked whole.
   */
  redactValue<T>(value: T): RedactValueResult<T>;
}

export const DEFAULT_MAX_STRING_LENGTH = 4 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const MIN_SECRET_LENGTH = 4;

/**
 * Builds a redactor: every pattern is compiled once here (a bad custom pattern throws
 * REDACTION_PATTERN_INVALID now, never while redacting), and each string is scanned in
 * one pass per detector.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const mode = options.mode ?? 'mask';
  const enabled = new Set<DetectorName>(options.detectors ?? DETECTOR_NAMES);
  const detectors: Detector[] = [
    ...DETECTOR_NAMES.filter((name) => enabled.has(name)).map(builtInDetector),
    ...(options.custom ?? []).map(compileCustomPattern),
  ];
  const customNames = new Set<string>();
  for (const detector of detectors.slice(enabled.size)) {
    if (customNames.has(detector.name)) {
      throw compileError(detector.name);
    }
    customNames.add(detector.name);
  }
  const maxStringLength = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const keyBased = enabled.has('secret-assignment');

  const scan = (text: string, found: (detector: string, count: number) => void): string => {
    if (text.length < MIN_SECRET_LENGTH) return text;
    if (text.length > maxStringLength) {
      found('oversize', 1);
      return maskFor('oversize');
    }
    let out = text;
    for (const detector of detectors) out = detector.scan(out, found);
    return out;
  };

  const walk = (value: unknown, key: string | undefined, depth: number, found: (detector: string, count: number) => void): unknown => {
    if (typeof value === 'string') {
      if (keyBased && key !== undefined && value.length > 0 && sensitiveKeyPattern.test(key) && !isSecretReference(value) && !value.startsWith('[REDACTED')) {
        found('secret-assignment', 1);
        return maskFor('secret-assignment');
      }
      return scan(value, found);
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth >= maxDepth) {
      found('too-deep', 1);
      return maskFor('too-deep');
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < value.length; index += 1) {
        const item: unknown = value[index];
        const next = walk(item, undefined, depth + 1, found);
        if (next !== item) {
          copy ??= value.slice();
          copy[index] = next;
        }
      }
      return copy ?? value;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [entryKey, item] of Object.entries(value)) {
      const next = walk(item, entryKey, depth + 1, found);
      if (next !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[entryKey] = next;
      }
    }
    return copy ?? value;
  };

  const collect = (): { found: (detector: string, count: number) => void; findings: () => RedactionFinding[] } => {
    let counts: Map<string, number> | undefined;
    return {
      found: (detector, count) => {
        counts ??= new Map();
        counts.set(detector, (counts.get(detector) ?? 0) + count);
      },
      findings: () =>
        counts === undefined
          ? []
          : [...counts].sort(byEntryKey).map(([detector, count]) => ({ detector, count })),
    };
  };

  return {
    mode,
    detectors: detectors.map((detector) => detector.name),
    redactText: (text) => {
      const { found, findings } = collect();
      const out = scan(text, found);
      const list = findings();
      return { text: out, findings: list, blocked: mode === 'block' && list.length > 0 };
    },
    redactValue: <T>(value: T): RedactValueResult<T> => {
      const { found, findings } = collect();
      const out = walk(value, undefined, 0, found) as T;
      const list = findings();
      return { value: out, findings: list, blocked: mode === 'block' && list.length > 0 };
    },
  };
}

function compileError(name: string): SkillsyncError {
  return new SkillsyncError('REDACTION_PATTERN_INVALID', `Two custom redaction patterns are named "${name}"; names must be unique.`, { details: { name } });
}

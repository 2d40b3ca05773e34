import type { ErrorCode } from '@skillsync/core';

/** The codes a codec reports; both are in the core catalogue with their hints. */
export type CodecProblemCode = Extract<ErrorCode, 'CLIENT_FILE_INVALID' | 'CLIENT_FILE_UNSUPPORTED_LAYOUT'>;

/**
 * Why a file was not read or edited. `line` and `column` are 1-based and point at
 * the first syntax error (or at the entry whose layout we refuse to edit).
 */
export interface CodecProblem {
  readonly code: CodecProblemCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface CodecFailure {
  readonly ok: false;
  readonly problem: CodecProblem;
}

/** An edit that happened (or was a no-op: `changed: false` and the identical text). */
export interface EditSuccess {
  readonly ok: true;
  readonly text: string;
  readonly changed: boolean;
}

/** Codecs never throw for a bad file: the failure is a value and no text is produced. */
export type EditResult = EditSuccess | CodecFailure;

export type CodecReadResult<T> = { readonly ok: true; readonly value: T } | CodecFailure;

/** Entries of one map in a client file: what to write and what to delete. */
export interface MapEdit {
  /** Where the map lives, one key per level (a key may itself contain dots). */
  readonly keyPath: readonly string[];
  /** Entries to create or replace, in the order new ones are appended. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Entries to delete; a name that is also in `set` is set, not deleted. */
  readonly remove?: readonly string[];
}

export function codecFailure(code: CodecProblemCode, message: string, position: { line: number; column: number }): CodecFailure {
  return { ok: false, problem: { code, message, line: position.line, column: position.column } };
}

/** The 1-based line and column of a UTF-16 offset; `\r\n` counts as one line break. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < clamped; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: clamped - lineStart + 1 };
}

/** The names an edit deletes: those not also being set. */
export function namesToRemove(edit: MapEdit): string[] {
  const set = edit.set ?? {};
  return [...new Set(edit.remove ?? [])].filter((name) => !Object.hasOwn(set, name));
}

import { errorCatalogue, type ErrorCode } from './codes.js';
import { redactSecrets } from './redact.js';

export interface SkillsyncErrorOptions {
  /** Overrides the catalogue's default hint when the situation allows a sharper one. */
  hint?: string;
  /** Structured, JSON-serialisable facts about the failure (path, line, client…). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type skillsync throws for failures a user can act on.
 * Messages and details pass through the secret redactor at construction, so no
 * code path can leak a secret by putting it in an error.
 */
export class SkillsyncError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SkillsyncErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkillsyncError';
    this.code = code;
    this.hint = options.hint ?? errorCatalogue[code].hint;
    this.details = redactSecrets(options.details ?? {});
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  hint: string;
  details: Record<string, unknown>;
}

export function isSkillsyncError(value: unknown): value is SkillsyncError {
  return value instanceof SkillsyncError;
}

/** Wraps anything thrown into a SkillsyncError, keeping coded errors as they are. */
export function toSkillsyncError(value: unknown): SkillsyncError {
  if (value instanceof SkillsyncError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SkillsyncError('INTERNAL', message, { cause: value });
}

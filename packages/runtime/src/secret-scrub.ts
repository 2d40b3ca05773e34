import { REDACTED } from '@skillsync/core';

/**
 * The secret values the gateway resolved for its connectors. Anything that leaves the
 * gateway toward a client or a log (results, errors, log messages, stderr lines) passes
 * through `scrub`, so a connector that echoes its own credential does not hand it on.
 * Cheap when nothing matches: one serialisation and a substring test per secret.
 */
export class SecretScrubber {
  private readonly values = new Set<string>();

  add(values: readonly string[]): void {
    // Very short values would mask ordinary text; the core redactor uses the same floor.
    for (const value of values) if (value.length >= 4) this.values.add(value);
  }

  get size(): number {
    return this.values.size;
  }

  text(text: string): string {
    let out = text;
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** `value` itself when it holds no secret (the common case), else a copy with every secret masked. */
  scrub<T>(value: T): T {
    if (this.values.size === 0) return value;
    if (typeof value === 'string') return this.text(value) as T;
    // A value JSON cannot hold has nothing to scrub.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return value;
    let serialized: string;
    try {
      serialized = JSON.stringify(value);
    } catch {
      return value;
    }
    for (const secret of this.values) {
      // JSON escapes some characters; test the escaped form too.
      if (serialized.includes(secret) || serialized.includes(JSON.stringify(secret).slice(1, -1))) return this.walk(value) as T;
    }
    return value;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.text(key)] = this.walk(item);
      return out;
    }
    return value;
  }
}

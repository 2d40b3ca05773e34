/**
 * A file as a package holds it. Apart from the tar encoding itself
 * (canonical-tar.ts), which is loaded only when bytes must be hashed or packed.
 */
export interface CanonicalFile {
  /** Relative to the package root, `/`-separated, already checked by the path rules. */
  readonly path: string;
  readonly mode: number;
  readonly content: Uint8Array;
}

/** 0755 when any execute bit is set, else 0644: the only two modes a package knows. */
export function normalizeMode(mode: number): number {
  return (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

/** Orders paths by the bytes of their UTF-8 encoding, the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

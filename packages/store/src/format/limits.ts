/**
 * Bounds on what a package may contain. They apply when packing (so we never
 * produce a package we would refuse) and when reading (so a hostile package cannot
 * exhaust memory or disk).
 */
export interface PackageLimits {
  /** Sum of the sizes of all files, in bytes. */
  readonly maxTotalSize: number;
  /** Number of regular files (directory entries count too when reading). */
  readonly maxFiles: number;
  /** Size of any one file, in bytes. */
  readonly maxFileSize: number;
}

export const defaultPackageLimits: PackageLimits = {
  maxTotalSize: 100 * 1024 * 1024,
  maxFiles: 10_000,
  maxFileSize: 50 * 1024 * 1024,
};

/** Bytes of a pax header plus its body for one long path: far above what any path rule allows. */
const perEntryOverhead = 4096;
const fixedOverhead = 1024 * 1024;

/**
 * The most bytes the uncompressed tar stream of a package within `limits` can
 * take: content plus per-entry headers. Inflation stops once this is passed.
 */
export function tarStreamBudget(limits: PackageLimits): number {
  return limits.maxTotalSize + limits.maxFiles * perEntryOverhead + fixedOverhead;
}

export function resolveLimits(limits: Partial<PackageLimits> | undefined): PackageLimits {
  return {
    maxTotalSize: limits?.maxTotalSize ?? defaultPackageLimits.maxTotalSize,
    maxFiles: limits?.maxFiles ?? defaultPackageLimits.maxFiles,
    maxFileSize: limits?.maxFileSize ?? defaultPackageLimits.maxFileSize,
  };
}

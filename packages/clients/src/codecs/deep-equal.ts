/**
 * Structural equality of parsed config values: key order is ignored (a reordered
 * entry is the same entry, so re-syncing it writes nothing), dates compare by their
 * text (TOML local dates have no instant), and null-prototype objects count as plain.
 */
export function deepEqual(left: unknown, right: unknown): boolean {
  if (Object.is(left, right)) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (left instanceof Date || right instanceof Date) {
    return left instanceof Date && right instanceof Date && left.constructor === right.constructor && String(left) === String(right);
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, index) => deepEqual(item, right[index]));
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftRecord);
  if (leftKeys.length !== Object.keys(rightRecord).length) return false;
  return leftKeys.every((key) => Object.hasOwn(rightRecord, key) && deepEqual(leftRecord[key], rightRecord[key]));
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A copy of `root` with `value` at `path`, creating plain objects on the way. */
export function setAtPath(root: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base = isPlainRecord(root) ? root : {};
  return { ...base, [head]: setAtPath(base[head], rest, value) };
}

/** `value` wrapped in one object per key of `path`, outermost first. */
export function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** A copy of `root` without the subtree at `path` (unchanged when it is absent). */
export function omitAtPath(root: unknown, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined || !isPlainRecord(root) || !Object.hasOwn(root, head)) return root;
  if (rest.length === 0) return Object.fromEntries(Object.entries(root).filter(([key]) => key !== head));
  return { ...root, [head]: omitAtPath(root[head], rest) };
}

/** The value at `path`, or undefined when a step is missing or not an object. */
export function getAtPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const key of path) {
    if (!isPlainRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

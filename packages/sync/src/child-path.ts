import type { pathFor } from '@skillsync/core';

type PathApi = ReturnType<typeof pathFor>;

/** A name that is one path segment whatever the platform: no separator, not `.` or `..`. */
const PLAIN_NAME = /^(?!\.\.?$)[^/\\]+$/;

const normalRoots = new Map<string, boolean>();

/**
 * `p.join(root, name)` for a skill folder: the same string, built by concatenation
 * when `name` is a plain segment and `root` is absolute and already normalised (as every location
 * an adapter gives is), which is all but always. A sync builds thousands of these,
 * and `path.join` normalises the whole string each time.
 */
export function childPath(p: PathApi, root: string, name: string): string {
  if (!PLAIN_NAME.test(name)) return p.join(root, name);
  const key = `${p.sep}${root}`;
  let normal = normalRoots.get(key);
  if (normal === undefined) {
    normal = p.isAbsolute(root) && !root.endsWith(p.sep) && p.normalize(root) === root;
    normalRoots.set(key, normal);
  }
  return normal ? `${root}${p.sep}${name}` : p.join(root, name);
}

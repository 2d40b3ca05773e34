import { SkillsyncError } from '@skillsync/core';

/** Every entry of a package tarball lives under this folder, as in npm packages. */
export const PACKAGE_PREFIX = 'package/';

const maxPathBytes = 1024;
const maxSegmentBytes = 255;

/**
 * Characters that are invalid, or mean something else, on one of the platforms a
 * package is unpacked on: control characters, the Windows-reserved `<>:"|?*` (`:`
 * would also open an NTFS alternate data stream), and U+FFFD, which is what a name
 * that was not valid UTF-8 decodes to.
 */
// eslint-disable-next-line no-control-regex
const forbiddenCharacters = /[\u0000-\u001f\u007f<>:"|?*\ufffd]/;
const windowsReservedName = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$/i;

type PathProblem =
  | 'empty'
  | 'absolute'
  | 'drive-letter'
  | 'backslash'
  | 'outside-package'
  | 'parent-segment'
  | 'dot-segment'
  | 'empty-segment'
  | 'forbidden-character'
  | 'reserved-name'
  | 'trailing-dot-or-space'
  | 'too-long';

function unsafePath(path: string, problem: PathProblem): SkillsyncError {
  return new SkillsyncError('PACKAGE_UNSAFE_PATH', `Unsafe path ${JSON.stringify(path)} in package (${problem}).`, {
    details: { path, problem },
  });
}

/**
 * Checks a tar entry path and returns it relative to the package root (without
 * `package/`). A trailing `/` is allowed only for directory entries.
 */
export function toPackageRelativePath(entryPath: string, options: { directory?: boolean } = {}): string {
  if (entryPath.length === 0) throw unsafePath(entryPath, 'empty');
  if (options.directory === true && entryPath === 'package') return '';
  if (entryPath.includes('\\')) throw unsafePath(entryPath, 'backslash');
  if (entryPath.startsWith('/')) throw unsafePath(entryPath, 'absolute');
  if (/^[A-Za-z]:/.test(entryPath)) throw unsafePath(entryPath, 'drive-letter');
  if (entryPath.split('/').includes('..')) throw unsafePath(entryPath, 'parent-segment');
  if (!entryPath.startsWith(PACKAGE_PREFIX)) throw unsafePath(entryPath, 'outside-package');
  let relative = entryPath.slice(PACKAGE_PREFIX.length);
  if (options.directory === true && relative.endsWith('/')) relative = relative.slice(0, -1);
  if (options.directory === true && relative === '') return '';
  checkRelativePath(relative, entryPath);
  return relative;
}

/**
 * The path rules every file of a package obeys, applied both by pack and by read,
 * so a package skillsync makes is always one it accepts, on every platform.
 */
export function checkRelativePath(relative: string, shown: string = relative): void {
  if (relative.length === 0) throw unsafePath(shown, 'empty');
  if (relative.includes('\\')) throw unsafePath(shown, 'backslash');
  if (relative.startsWith('/')) throw unsafePath(shown, 'absolute');
  if (/^[A-Za-z]:/.test(relative)) throw unsafePath(shown, 'drive-letter');
  if (Buffer.byteLength(relative) > maxPathBytes) throw unsafePath(shown, 'too-long');
  for (const segment of relative.split('/')) {
    if (segment === '..') throw unsafePath(shown, 'parent-segment');
    if (segment === '.') throw unsafePath(shown, 'dot-segment');
    if (segment === '') throw unsafePath(shown, 'empty-segment');
    if (forbiddenCharacters.test(segment)) throw unsafePath(shown, 'forbidden-character');
    if (windowsReservedName.test(segment)) throw unsafePath(shown, 'reserved-name');
    if (segment.endsWith('.') || segment.endsWith(' ')) throw unsafePath(shown, 'trailing-dot-or-space');
    if (Buffer.byteLength(segment) > maxSegmentBytes) throw unsafePath(shown, 'too-long');
  }
}

/**
 * The name two paths share when a case-insensitive or normalising file system
 * (macOS, Windows) would store them as one: NFC, then a case fold. Upper- then
 * lower-casing folds `ß`/`SS` and `ſ`/`s` like those systems do.
 */
export function collisionKey(relative: string): string {
  return relative.normalize('NFC').toUpperCase().toLowerCase();
}

export interface PathRegistry {
  addFile(relative: string): void;
  addDirectory(relative: string): void;
}

/**
 * Tracks the paths of one package and refuses any that would unpack differently
 * on another platform: exact duplicates, names equal up to case or Unicode
 * normalisation, and a file standing where another entry needs a directory.
 */
export function createPathRegistry(): PathRegistry {
  const files = new Map<string, string>();
  const directories = new Map<string, string>();

  const collision = (path: string, other: string, problem: string): SkillsyncError =>
    new SkillsyncError(
      'PACKAGE_UNSAFE_PATH',
      `Path ${JSON.stringify(path)} collides with ${JSON.stringify(other)} in package (${problem}).`,
      {
        details: { path, other, problem },
        hint: 'A package may not list a path twice, nor two paths that differ only by case or Unicode normalisation; it was refused and nothing was written.',
      },
    );

  const addDirectoryChain = (relative: string): void => {
    const segments = relative.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const directory = segments.slice(0, i).join('/');
      const key = collisionKey(directory);
      const file = files.get(key);
      if (file !== undefined) throw collision(directory, file, 'file-directory-conflict');
      const seen = directories.get(key);
      if (seen === undefined) directories.set(key, directory);
      else if (seen !== directory) throw collision(directory, seen, 'case-collision');
    }
  };

  return {
    addFile(relative) {
      const key = collisionKey(relative);
      const existing = files.get(key);
      if (existing !== undefined) {
        throw collision(relative, existing, existing === relative ? 'duplicate' : 'case-collision');
      }
      const directory = directories.get(key);
      if (directory !== undefined) throw collision(relative, directory, 'file-directory-conflict');
      const slash = relative.lastIndexOf('/');
      if (slash > 0) addDirectoryChain(relative.slice(0, slash));
      files.set(key, relative);
    },
    addDirectory(relative) {
      if (relative !== '') addDirectoryChain(relative);
    },
  };
}

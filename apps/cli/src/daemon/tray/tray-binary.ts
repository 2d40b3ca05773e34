import { constants } from 'node:fs';
import { access, chmod as chmodFile, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SkillsyncError, writeFileAtomic, type Platform } from '@skillsync/core';

const BINARIES: Readonly<Record<Platform, string>> = {
  linux: 'tray_linux_release',
  darwin: 'tray_darwin_release',
  win32: 'tray_windows_release.exe',
};

const NOT_INSTALLED_HINT =
  'The daemon runs without a tray icon. systray2 is an optional dependency of skillsync: reinstall skillsync without --omit=optional to get it.';

export interface TrayBinarySource {
  /** The binary inside the systray2 package. */
  readonly file: string;
  /** systray2's version, which names the cache folder of a copy. */
  readonly version: string;
}

/** Where systray2's binary for this platform is; TRAY_UNAVAILABLE when the optional package is not installed. */
export async function locateTrayBinary(platform: Platform): Promise<TrayBinarySource> {
  let manifest: string;
  try {
    // Resolved at run time next to the CLI, never bundled: systray2 is an optional dependency.
    manifest = createRequire(import.meta.url).resolve('systray2/package.json');
  } catch (error) {
    throw new SkillsyncError('TRAY_UNAVAILABLE', 'The systray2 package is not installed.', { hint: NOT_INSTALLED_HINT, cause: error });
  }
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version?: unknown };
  const file = path.join(path.dirname(manifest), 'traybin', BINARIES[platform]);
  if (typeof version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(version)) {
    throw new SkillsyncError('TRAY_UNAVAILABLE', `The systray2 package at ${path.dirname(manifest)} has no usable version.`, { hint: NOT_INSTALLED_HINT });
  }
  try {
    await stat(file);
  } catch (error) {
    throw new SkillsyncError('TRAY_UNAVAILABLE', `The systray2 package has no tray binary for this platform (${file}).`, { hint: NOT_INSTALLED_HINT, cause: error });
  }
  return { file, version };
}

export interface RunnableTrayBinaryOptions {
  readonly source: TrayBinarySource;
  readonly platform: Platform;
  /** Where a copy goes when the package folder cannot be changed. */
  readonly cacheDir: string;
  readonly chmod?: (file: string, mode: number) => Promise<void>;
}

/**
 * The binary, executable. npm unpacks it without its exec bit and systray2's own fix
 * (`chmod('+x')`) throws on current Node, so set the mode here; where the package folder
 * cannot be changed (a read-only or root-owned install), run a copy from the cache.
 */
export async function runnableTrayBinary({ source, platform, cacheDir, chmod = chmodFile }: RunnableTrayBinaryOptions): Promise<string> {
  if (platform === 'win32' || (await isExecutable(source.file))) return source.file;
  try {
    await chmod(source.file, 0o755);
    return source.file;
  } catch {
    // Not ours to change: fall back to a copy.
  }
  const copy = path.join(cacheDir, source.version, path.basename(source.file));
  const [original, cached] = await Promise.all([stat(source.file), stat(copy).catch(() => undefined)]);
  if (cached?.size === original.size && (await isExecutable(copy))) return copy;
  await writeFileAtomic(copy, await readFile(source.file), { mode: 0o755 });
  return copy;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

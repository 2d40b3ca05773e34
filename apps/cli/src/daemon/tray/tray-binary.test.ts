import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { locateTrayBinary, runnableTrayBinary, type TrayBinarySource } from './tray-binary.js';

describe('locateTrayBinary', () => {
  it.each([
    ['linux', 'tray_linux_release'],
    ['darwin', 'tray_darwin_release'],
    ['win32', 'tray_windows_release.exe'],
  ] as const)('finds systray2\'s %s binary in its package folder', async (platform, name) => {
    const { file, version } = await locateTrayBinary(platform);
    expect(file).toMatch(new RegExp(`[\\\\/]systray2[\\\\/]traybin[\\\\/]${name.replace('.', '\\.')}$`));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('runnableTrayBinary', () => {
  let dir: string;
  let source: TrayBinarySource;
  const content = '#!/bin/sh\necho tray\n';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-tray-binary-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function packageBinary(name: string, mode: number): Promise<TrayBinarySource> {
    const folder = path.join(dir, name, 'traybin');
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, 'tray_linux_release');
    await writeFile(file, content);
    await chmod(file, mode);
    return { file, version: '2.1.4' };
  }

  it('runs an executable binary where it is, untouched', async () => {
    source = await packageBinary('executable', 0o755);
    const chmodSpy = vi.fn(() => Promise.resolve());
    expect(await runnableTrayBinary({ source, platform: 'linux', cacheDir: path.join(dir, 'cache'), chmod: chmodSpy })).toBe(source.file);
    expect(chmodSpy).not.toHaveBeenCalled();
  });

  it('makes the binary npm unpacked without its exec bit executable in place', async () => {
    source = await packageBinary('plain', 0o644);
    expect(await runnableTrayBinary({ source, platform: 'linux', cacheDir: path.join(dir, 'cache') })).toBe(source.file);
    expect((await stat(source.file)).mode & 0o777).toBe(0o755);
  });

  it('runs a copy from the cache when the package folder cannot be changed, and reuses it', async () => {
    source = await packageBinary('read-only', 0o644);
    const cacheDir = path.join(dir, 'cache');
    const readOnly = vi.fn(() => Promise.reject(Object.assign(new Error('read-only file system'), { code: 'EROFS' })));
    const copy = await runnableTrayBinary({ source, platform: 'linux', cacheDir, chmod: readOnly });
    expect(copy).toBe(path.join(cacheDir, '2.1.4', 'tray_linux_release'));
    expect(await readFile(copy, 'utf8')).toBe(content);
    expect((await stat(copy)).mode & 0o100).toBe(0o100);
    expect((await stat(source.file)).mode & 0o777).toBe(0o644);

    const written = (await stat(copy)).mtimeMs;
    expect(await runnableTrayBinary({ source, platform: 'linux', cacheDir, chmod: readOnly })).toBe(copy);
    expect((await stat(copy)).mtimeMs).toBe(written);
  });

  it('replaces a cached copy that does not match the package\'s binary', async () => {
    source = await packageBinary('updated', 0o644);
    const cacheDir = path.join(dir, 'cache-stale');
    const stale = path.join(cacheDir, '2.1.4', 'tray_linux_release');
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, 'old', { mode: 0o755 });
    const readOnly = (): Promise<void> => Promise.reject(Object.assign(new Error('permission denied'), { code: 'EPERM' }));
    expect(await runnableTrayBinary({ source, platform: 'linux', cacheDir, chmod: readOnly })).toBe(stale);
    expect(await readFile(stale, 'utf8')).toBe(content);
  });

  it('leaves the Windows binary alone: Windows has no exec bit', async () => {
    source = await packageBinary('windows', 0o644);
    const chmodSpy = vi.fn(() => Promise.resolve());
    expect(await runnableTrayBinary({ source, platform: 'win32', cacheDir: path.join(dir, 'cache'), chmod: chmodSpy })).toBe(source.file);
    expect(chmodSpy).not.toHaveBeenCalled();
  });
});

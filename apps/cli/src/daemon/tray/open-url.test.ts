import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDashboardUrl, openerCommand, openUrl } from './open-url.js';

const url = 'http://127.0.0.1:4173/?token=0123456789abcdef&page=drift';

describe('openerCommand', () => {
  it('hands the address to the platform\'s opener as one argument', () => {
    expect(openerCommand('linux', url)).toEqual({ command: 'xdg-open', args: [url] });
    expect(openerCommand('darwin', url)).toEqual({ command: 'open', args: [url] });
    expect(openerCommand('win32', url)).toEqual({ command: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] });
  });
});

describe('isDashboardUrl', () => {
  it.each(['http://127.0.0.1:4173/', url, 'http://localhost:9/x', 'http://[::1]:4173/#token=abc'])('accepts %s', (address) => {
    expect(isDashboardUrl(address)).toBe(true);
  });

  it.each([
    'https://127.0.0.1:4173/',
    'http://127.0.0.1.example.com/',
    'http://192.168.1.10:4173/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    '--help',
    'not a url',
  ])('refuses %s', (address) => {
    expect(isDashboardUrl(address)).toBe(false);
  });
});

describe('openUrl', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-open-url-'));
    // A stand-in for xdg-open: records its arguments, and fails when told to.
    await writeFile(path.join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/opened"\nexit "\${FAKE_OPENER_EXIT:-0}"\n`);
    await chmod(path.join(dir, 'xdg-open'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = (vars: Record<string, string> = {}) => createEnv({ home: dir, cwd: dir, platform: 'linux', vars: { PATH: `${dir}:/usr/bin:/bin`, ...vars } });

  it('starts the opener with the address as it is, no shell in between', async () => {
    const onFailure = vi.fn();
    await openUrl(env(), url, onFailure);
    await vi.waitFor(async () => {
      expect(await readFile(path.join(dir, 'opened'), 'utf8')).toBe(`${url}\n`);
    });
    expect(onFailure).not.toHaveBeenCalled();
  });

  it('reports an opener that fails without naming the address', async () => {
    const onFailure = vi.fn();
    await openUrl(env({ FAKE_OPENER_EXIT: '3' }), url, onFailure);
    await vi.waitFor(() => {
      expect(onFailure).toHaveBeenCalledWith('xdg-open exited with code 3');
    });
  });

  it('fails with BROWSER_OPEN_FAILED, without the address, when there is no opener', async () => {
    const failure = await openUrl(env({ PATH: path.join(dir, 'nowhere') }), url, () => undefined).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'BROWSER_OPEN_FAILED', message: 'Could not start xdg-open (ENOENT).' });
    expect(JSON.stringify(failure)).not.toContain('token');
  });
});

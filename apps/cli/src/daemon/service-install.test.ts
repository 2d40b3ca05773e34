import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_ARGS, type ServiceCommand } from './service-files.js';
import { installService } from './service-install.js';

let root: string;
let calls: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-service-')));
  calls = path.join(root, 'calls.log');
  await mkdir(path.join(root, 'bin'));
  // Stand-ins for the service managers: each records how it was called; `launchctl list` answers "loaded".
  for (const tool of ['systemctl', 'launchctl']) {
    const script = path.join(root, 'bin', tool);
    await writeFile(script, `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n`);
    await chmod(script, 0o755);
  }
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const command = (script: string): ServiceCommand => ({ node: '/usr/bin/node', script, args: SERVICE_ARGS, cwd: root, environment: {}, outputFile: path.join(root, 'out.log') });

function envFor(platform: 'linux' | 'darwin'): Env {
  return createEnv({ home: root, cwd: root, platform, vars: { PATH: path.join(root, 'bin'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus', XDG_CONFIG_HOME: path.join(root, 'config') } });
}

const called = async (): Promise<string[]> => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');

describe.skipIf(process.platform === 'win32')('installService', () => {
  it('restarts the systemd unit when its file changed, and only starts it when it did not', async () => {
    const env = envFor('linux');
    expect((await installService(env, command('/opt/a/skillsync.js'))).changed).toBe(true);
    expect((await installService(env, command('/opt/a/skillsync.js'))).changed).toBe(false);
    expect((await installService(env, command('/opt/b/skillsync.js'))).changed).toBe(true);
    const unit = 'skillsync.service';
    expect(await called()).toEqual([
      'systemctl --user daemon-reload',
      `systemctl --user enable ${unit}`,
      `systemctl --user restart ${unit}`,
      'systemctl --user daemon-reload',
      `systemctl --user enable ${unit}`,
      `systemctl --user start ${unit}`,
      'systemctl --user daemon-reload',
      `systemctl --user enable ${unit}`,
      `systemctl --user restart ${unit}`,
    ]);
  });

  it('unloads a loaded launchd job before loading its changed file', async () => {
    const env = envFor('darwin');
    const first = await installService(env, command('/opt/a/skillsync.js'));
    await installService(env, command('/opt/a/skillsync.js'));
    await installService(env, command('/opt/b/skillsync.js'));
    expect(first.steps.every((step) => step.ok)).toBe(true);
    expect(await called()).toEqual([
      'launchctl list skillsync.daemon',
      `launchctl unload ${first.file}`,
      `launchctl load -w ${first.file}`,
      `launchctl load -w ${first.file}`,
      'launchctl list skillsync.daemon',
      `launchctl unload ${first.file}`,
      `launchctl load -w ${first.file}`,
    ]);
  });
});

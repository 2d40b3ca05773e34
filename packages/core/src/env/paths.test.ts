import { describe, expect, it } from 'vitest';
import { createEnv } from './env.js';
import { skillsyncPaths } from './paths.js';

describe('skillsyncPaths', () => {
  it('follows XDG on Linux, with overrides', () => {
    const env = createEnv({ home: '/home/ada', cwd: '/work', platform: 'linux' });
    expect(skillsyncPaths(env)).toMatchObject({
      config: '/home/ada/.config/skillsync',
      data: '/home/ada/.local/share/skillsync',
      cache: '/home/ada/.cache/skillsync',
      state: '/home/ada/.local/state/skillsync',
      store: '/home/ada/.local/share/skillsync/store',
      userManifest: '/home/ada/.config/skillsync/skillsync.yaml',
    });
    const xdg = createEnv({ home: '/home/ada', cwd: '/', vars: { XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c' } });
    expect(skillsyncPaths(xdg)).toMatchObject({ data: '/d/skillsync', config: '/c/skillsync' });
  });

  it('uses Library folders on macOS and keeps config in ~/.config', () => {
    const env = createEnv({ home: '/Users/ada', cwd: '/', platform: 'darwin' });
    expect(skillsyncPaths(env)).toMatchObject({
      config: '/Users/ada/.config/skillsync',
      data: '/Users/ada/Library/Application Support/skillsync',
      cache: '/Users/ada/Library/Caches/skillsync',
    });
  });

  it('uses APPDATA and LOCALAPPDATA on Windows', () => {
    const env = createEnv({
      home: 'C:\\Users\\ada',
      cwd: 'C:\\work',
      platform: 'win32',
      vars: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
    });
    expect(skillsyncPaths(env)).toMatchObject({
      config: 'C:\\Users\\ada\\AppData\\Roaming\\skillsync',
      data: 'C:\\Users\\ada\\AppData\\Local\\skillsync\\Data',
      store: 'C:\\Users\\ada\\AppData\\Local\\skillsync\\Data\\store',
    });
    const bare = createEnv({ home: 'C:\\Users\\ada', cwd: 'C:\\', platform: 'win32' });
    expect(skillsyncPaths(bare).config).toBe('C:\\Users\\ada\\AppData\\Roaming\\skillsync');
  });

  it('puts everything under SKILLSYNC_HOME, resolved against cwd', () => {
    const env = createEnv({ home: '/home/ada', cwd: '/work', vars: { SKILLSYNC_HOME: 'tmp/ss' } });
    expect(skillsyncPaths(env)).toMatchObject({
      config: '/work/tmp/ss/config',
      data: '/work/tmp/ss/data',
      store: '/work/tmp/ss/data/store',
    });
  });
});

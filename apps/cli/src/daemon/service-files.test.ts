import { createEnv } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { renderLaunchdPlist, renderStartupScript, renderSystemdUnit, SERVICE_ARGS, serviceEnvironment, serviceFilePath, type ServiceCommand } from './service-files.js';

const linux: ServiceCommand = {
  node: '/home/ada/.nvm/versions/node/v20.20.0/bin/node',
  script: '/home/ada/.nvm/versions/node/v20.20.0/lib/node_modules/skillsync/bin/skillsync.js',
  args: SERVICE_ARGS,
  cwd: '/home/ada',
  // Characters systemd would read as specifiers, variables and quotes must reach the daemon as they are.
  environment: { SKILLSYNC_HOME: '/home/ada/skill sync/100%', XDG_CONFIG_HOME: '/home/ada/.config $HOME "x"' },
  outputFile: '/home/ada/.local/state/skillsync/daemon-output.log',
};

const darwin: ServiceCommand = {
  node: '/opt/homebrew/bin/node',
  script: '/opt/homebrew/lib/node_modules/skillsync/bin/skillsync.js',
  args: SERVICE_ARGS,
  cwd: '/Users/ada',
  environment: { SKILLSYNC_HOME: '/Users/ada/R&D <skills>' },
  outputFile: '/Users/ada/Library/Application Support/skillsync/state/daemon-output.log',
};

const windows: ServiceCommand = {
  node: 'C:\\Program Files\\nodejs\\node.exe',
  script: 'C:\\Users\\Ada\\AppData\\Roaming\\npm\\node_modules\\skillsync\\bin\\skillsync.js',
  args: SERVICE_ARGS,
  cwd: 'C:\\Users\\Ada',
  environment: { SKILLSYNC_HOME: 'D:\\skills "shared"' },
  outputFile: 'C:\\Users\\Ada\\AppData\\Local\\skillsync\\State\\daemon-output.log',
};

describe('login service files (golden)', () => {
  it('systemd user unit', async () => {
    await expect(renderSystemdUnit(linux)).toMatchFileSnapshot('./service-files.golden/skillsync.service');
  });

  it('launchd agent', async () => {
    await expect(renderLaunchdPlist(darwin)).toMatchFileSnapshot('./service-files.golden/skillsync.daemon.plist');
  });

  it('Windows Startup script', async () => {
    await expect(renderStartupScript(windows)).toMatchFileSnapshot('./service-files.golden/skillsync.vbs');
  });

  it('a service without variables to carry has no Environment lines', () => {
    const unit = renderSystemdUnit({ ...linux, environment: {} });
    expect(unit).not.toContain('Environment=');
    expect(renderLaunchdPlist({ ...darwin, environment: {} })).not.toContain('EnvironmentVariables');
  });
});

describe('values a service file cannot carry', () => {
  it('refuses a line break in any value, for every OS', () => {
    const refusals = [
      () => renderSystemdUnit({ ...linux, environment: { SKILLSYNC_HOME: '/s\nExecStartPre=/bin/evil' } }),
      () => renderSystemdUnit({ ...linux, cwd: '/home/ada\r' }),
      () => renderLaunchdPlist({ ...darwin, script: '/opt/skill\nsync.js' }),
      () => renderStartupScript({ ...windows, environment: { SKILLSYNC_HOME: 'D:\\s"\r\nCreateObject("WScript.Shell").Run "calc"' } }),
    ];
    for (const render of refusals) expect(render).toThrow(expect.objectContaining({ code: 'DAEMON_SERVICE_UNSAFE' }));
  });

  it('refuses a % in the Windows command line, which Run would expand; elsewhere it is kept as it is', () => {
    expect(() => renderStartupScript({ ...windows, script: 'C:\\Users\\%USERNAME%\\skillsync.js' })).toThrow(expect.objectContaining({ code: 'DAEMON_SERVICE_UNSAFE' }));
    expect(renderStartupScript({ ...windows, environment: { SKILLSYNC_HOME: 'D:\\100%' } })).toContain('"D:\\100%"');
    expect(renderSystemdUnit({ ...linux, script: '/opt/100%/skillsync.js' })).toContain('"/opt/100%%/skillsync.js"');
  });
});

describe('serviceFilePath', () => {
  it('puts each OS file where its service manager looks', () => {
    expect(serviceFilePath(createEnv({ home: '/home/ada', cwd: '/' }))).toBe('/home/ada/.config/systemd/user/skillsync.service');
    expect(serviceFilePath(createEnv({ home: '/home/ada', cwd: '/', vars: { XDG_CONFIG_HOME: '/cfg' } }))).toBe('/cfg/systemd/user/skillsync.service');
    // A relative XDG_CONFIG_HOME is invalid by the spec and ignored, as systemd does.
    expect(serviceFilePath(createEnv({ home: '/home/ada', cwd: '/', vars: { XDG_CONFIG_HOME: 'cfg' } }))).toBe('/home/ada/.config/systemd/user/skillsync.service');
    expect(serviceFilePath(createEnv({ home: '/Users/ada', cwd: '/', platform: 'darwin' }))).toBe('/Users/ada/Library/LaunchAgents/skillsync.daemon.plist');
    expect(serviceFilePath(createEnv({ home: 'C:\\Users\\Ada', cwd: 'C:\\', platform: 'win32', vars: { APPDATA: 'C:\\Users\\Ada\\AppData\\Roaming' } }))).toBe(
      'C:\\Users\\Ada\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\skillsync.vbs',
    );
  });
});

describe('serviceEnvironment', () => {
  it('carries only the variables that move skillsync or client files, when set', () => {
    const env = createEnv({ home: '/home/ada', cwd: '/', vars: { SKILLSYNC_HOME: '/s', CODEX_HOME: '/c', PATH: '/usr/bin', GITHUB_TOKEN: 'ghp_x', XDG_DATA_HOME: '' } });
    expect(serviceEnvironment(env)).toEqual({ SKILLSYNC_HOME: '/s', CODEX_HOME: '/c' });
  });
});

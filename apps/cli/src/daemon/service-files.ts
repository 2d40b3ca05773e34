import { pathFor, SkillsyncError, type Env, type Platform } from '@skillsync/core';

/**
 * What a login service runs: the daemon in the foreground (the service manager
 * supervises it), never opening a browser at login, and printing only problems: what it
 * prints is kept by the service manager (the journal, launchd's output file), and its
 * records are in its own log already.
 */
export const SERVICE_ARGS = ['up', '--no-open', '--quiet'] as const;

/** The launchd job's label, which is also its plist's name. */
export const LAUNCHD_LABEL = 'skillsync.daemon';

/**
 * The environment variables that move skillsync's own folders or a client's files: a
 * service does not start from the shell that installed it, so the ones set there are
 * written into the service, or the daemon would watch other files than the CLI syncs.
 */
export const SERVICE_ENVIRONMENT = [
  'SKILLSYNC_HOME',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
  'CLAUDE_CONFIG_DIR',
  'CLINE_DIR',
  'CLINE_MCP_SETTINGS_PATH',
  'CODEX_HOME',
] as const;

/** Everything a service file says, as data; the renderers below only spell it per OS. */
export interface ServiceCommand {
  /** The Node executable, absolute. */
  readonly node: string;
  /** The skillsync CLI script, absolute. */
  readonly script: string;
  readonly args: readonly string[];
  /** The folder it starts in: the user's home (so only the user manifest's scope applies). */
  readonly cwd: string;
  /** From `SERVICE_ENVIRONMENT`, the ones set (sorted by name). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where launchd writes what the daemon prints (systemd keeps it in the journal; Windows has nowhere). */
  readonly outputFile: string;
}

/** The variables of `SERVICE_ENVIRONMENT` that `env` sets, for `ServiceCommand.environment`. */
export function serviceEnvironment(env: Env): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of SERVICE_ENVIRONMENT) {
    const value = env.vars[name];
    if (value !== undefined && value !== '') environment[name] = value;
  }
  return environment;
}

/**
 * Where the per-user login service lives: a systemd user unit on Linux (under
 * `$XDG_CONFIG_HOME`, which systemd reads too), a launchd agent on macOS, a script in
 * the Startup folder on Windows.
 */
export function serviceFilePath(env: Env): string {
  const p = pathFor(env);
  const configured = env.vars.XDG_CONFIG_HOME;
  switch (env.platform) {
    case 'linux':
      return p.join(configured !== undefined && p.isAbsolute(configured) ? configured : p.join(env.home, '.config'), 'systemd', 'user', 'skillsync.service');
    case 'darwin':
      return p.join(env.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    case 'win32': {
      const roaming = env.vars.APPDATA ?? p.join(env.home, 'AppData', 'Roaming');
      return p.join(roaming, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'skillsync.vbs');
    }
  }
}

export function renderServiceFile(platform: Platform, command: ServiceCommand): string {
  switch (platform) {
    case 'linux':
      return renderSystemdUnit(command);
    case 'darwin':
      return renderLaunchdPlist(command);
    case 'win32':
      return renderStartupScript(command);
  }
}

/**
 * A systemd user unit. It restarts the daemon after a crash but not after a clean
 * stop (the tray's Quit, `skillsync daemon stop`); ordered after the graphical
 * session when there is one, so the tray finds the desktop.
 */
export function renderSystemdUnit(command: ServiceCommand): string {
  refuseUnsafeValues(command, 'linux');
  // `%` starts a specifier everywhere; in a command line `$` also starts a variable, and quoted values take C escapes.
  const specifiers = (value: string): string => value.replaceAll('%', '%%');
  const quote = (value: string): string => `"${specifiers(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const argument = (value: string): string => quote(value).replaceAll('$', '$$$$');
  return [
    '# Written by `skillsync daemon install`; removed by `skillsync daemon uninstall`.',
    '[Unit]',
    'Description=skillsync: keeps your AI clients in sync',
    'After=graphical-session.target',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${specifiers(command.cwd)}`,
    ...Object.entries(command.environment).map(([name, value]) => `Environment=${quote(`${name}=${value}`)}`),
    `ExecStart=${[command.node, command.script, ...command.args].map(argument).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** A launchd agent: started at login, started again only after a crash (`KeepAlive.SuccessfulExit = false`). */
export function renderLaunchdPlist(command: ServiceCommand): string {
  refuseUnsafeValues(command, 'darwin');
  const xml = (value: string): string => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
  const string = (value: string): string => `<string>${xml(value)}</string>`;
  const environment = Object.entries(command.environment);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `skillsync daemon install`; removed by `skillsync daemon uninstall`. -->',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>`,
    `  ${string(LAUNCHD_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...[command.node, command.script, ...command.args].map((argument) => `    ${string(argument)}`),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  ${string(command.cwd)}`,
    ...(environment.length === 0
      ? []
      : ['  <key>EnvironmentVariables</key>', '  <dict>', ...environment.flatMap(([name, value]) => [`    <key>${xml(name)}</key>`, `    ${string(value)}`]), '  </dict>']),
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ProcessType</key>',
    '  <string>Interactive</string>',
    '  <key>StandardOutPath</key>',
    `  ${string(command.outputFile)}`,
    '  <key>StandardErrorPath</key>',
    `  ${string(command.outputFile)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/**
 * A VBScript in the Startup folder: Windows runs it at login, and it starts the daemon
 * without a console window (a .cmd would leave one open for as long as it runs).
 */
export function renderStartupScript(command: ServiceCommand): string {
  refuseUnsafeValues(command, 'win32');
  const literal = (value: string): string => `"${value.replaceAll('"', '""')}"`;
  // The command line Run gets: each part in double quotes, which VBScript doubles inside its own string literal.
  const commandLine = [command.node, command.script, ...command.args].map((part) => `"${part}"`).join(' ');
  return [
    "' Written by `skillsync daemon install`; removed by `skillsync daemon uninstall`.",
    'Set shell = CreateObject("WScript.Shell")',
    ...Object.entries(command.environment).map(([name, value]) => `shell.Environment("Process")(${literal(name)}) = ${literal(value)}`),
    `shell.CurrentDirectory = ${literal(command.cwd)}`,
    `shell.Run ${literal(commandLine)}, 0, False`,
    '',
  ].join('\r\n');
}

/**
 * DAEMON_SERVICE_UNSAFE for a value no service file can carry as it is: a line break
 * (it would end the unit's line, or the script's statement, and start one of its own);
 * on Windows, a `%` in the command line, which WshShell.Run expands as a variable
 * whatever the quoting.
 */
function refuseUnsafeValues(command: ServiceCommand, platform: Platform): void {
  const commandLine = [command.node, command.script, ...command.args];
  const values: [string, string][] = [
    ...commandLine.map((value): [string, string] => ['the command line', value]),
    ['the working folder', command.cwd],
    ['the output file', command.outputFile],
    ...Object.entries(command.environment).map(([name, value]): [string, string] => [name, value]),
  ];
  const lineBreak = values.find(([, value]) => /[\r\n]/.test(value));
  if (lineBreak !== undefined) {
    throw new SkillsyncError('DAEMON_SERVICE_UNSAFE', `The login service cannot be written: ${lineBreak[0]} holds a line break (${JSON.stringify(lineBreak[1])}).`, {
      details: { value: lineBreak[0] },
    });
  }
  const percent = platform === 'win32' ? commandLine.find((value) => value.includes('%')) : undefined;
  if (percent !== undefined) {
    throw new SkillsyncError('DAEMON_SERVICE_UNSAFE', `The login service cannot be written: ${JSON.stringify(percent)} holds a %, which Windows would read as the start of a variable.`, {
      details: { value: 'the command line' },
    });
  }
}

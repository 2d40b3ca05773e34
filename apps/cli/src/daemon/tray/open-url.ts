import { spawn } from 'node:child_process';
import { SkillsyncError, type Env, type Platform } from '@skillsync/core';
import { isLoopbackHost } from '@skillsync/core';

export interface OpenerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The program that hands an address to the person's default browser; no shell sees the address. */
export function openerCommand(platform: Platform, url: string): OpenerCommand {
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [url] };
    case 'win32':
      // Not `cmd /c start`: cmd would split the address at `&` and run what follows.
      return { command: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] };
    case 'linux':
      return { command: 'xdg-open', args: [url] };
  }
}

/** Only the daemon's own dashboard is ever opened: http on a loopback address. */
export function isDashboardUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}

/**
 * Opens the address in the default browser. Resolves once the opener started (it may
 * run as long as the browser, so it is not waited for); a failure it reports later goes
 * to `onFailure`, which never receives the address (it carries the dashboard's token).
 */
export function openUrl(env: Env, url: string, onFailure: (reason: string) => void): Promise<void> {
  const { command, args } = openerCommand(env.platform, url);
  return new Promise((resolve, reject) => {
    const opener = spawn(command, args, { env: { ...env.vars }, stdio: 'ignore', detached: true, windowsHide: true });
    opener.once('error', (error: NodeJS.ErrnoException) => {
      // Only the code: the error's own fields repeat the arguments, the address among them.
      reject(new SkillsyncError('BROWSER_OPEN_FAILED', `Could not start ${command} (${error.code ?? 'unknown error'}).`, { details: { command } }));
    });
    opener.once('spawn', () => {
      opener.unref();
      resolve();
    });
    opener.once('exit', (code, signal) => {
      if (code !== 0 && code !== null) onFailure(`${command} exited with code ${code}`);
      else if (signal !== null) onFailure(`${command} was ended by ${signal}`);
    });
  });
}

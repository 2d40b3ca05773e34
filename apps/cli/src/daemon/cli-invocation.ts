import path from 'node:path';

/** How to start this same skillsync again: the Node running now and the CLI script it runs. */
export interface CliInvocation {
  readonly node: string;
  readonly script: string;
}

/**
 * The running CLI, by absolute paths: a detached daemon and a login service start it
 * exactly so (not through `skillsync` on a PATH that a service does not have).
 */
export function cliInvocation(): CliInvocation {
  const script = process.argv[1];
  if (script === undefined) throw new Error('process.argv[1] is not set: skillsync runs as a script');
  return { node: process.execPath, script: path.resolve(script) };
}

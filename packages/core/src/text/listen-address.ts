import { SkillsyncError } from '../errors/index.js';

/** True for a host name or address of this machine only (`localhost`, `127.x.x.x`, `::1`, bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * `HOST:PORT`, `[::1]:PORT` or `:PORT` (127.0.0.1), as `--listen`/`--http` take it; USAGE
 * naming `option` and showing `example` otherwise. Port 0 asks for a free one.
 */
export function parseListenAddress(value: string, usage: { readonly option: string; readonly example: string }): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    const [, examplePort] = /:(\d+)$/.exec(usage.example) ?? [];
    throw new SkillsyncError('USAGE', `${usage.option} ${value}: not HOST:PORT.`, {
      hint: `Pass ${usage.option} ${usage.example} (or :${examplePort ?? 'PORT'} for 127.0.0.1; :0 picks a free port).`,
      details: { option: usage.option, value },
    });
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

import type { EntryShape } from './connector-dialect.js';

/**
 * The entry shape most clients share (Claude Desktop's `mcpServers` lineage):
 * `command` / `args` / `env`, remote `url` / `headers`. Clients differ only in the
 * overrides: the transport key and values, the URL key, cwd, the on/off switch.
 */
export function mcpServersShape(
  overrides: Omit<Partial<EntryShape>, 'keys'> & Pick<EntryShape, 'typeValues' | 'remoteTransportDetected'> & { readonly keys?: Partial<EntryShape['keys']> },
): EntryShape {
  return {
    commandShape: 'string+args',
    typeKey: 'type',
    description: false,
    ...overrides,
    keys: { command: 'command', args: 'args', env: 'env', url: 'url', headers: 'headers', ...overrides.keys },
  };
}

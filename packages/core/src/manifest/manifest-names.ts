import type { ConnectorDefinition } from './manifest-schema.js';

// The manifest's names and constants, apart from its zod schema: the commands that only
// read a manifest (status, a no-op sync) load its parsed form from a cache and never
// need zod, which is half of their code.

/** The file name of a manifest at any scope. */
export const MANIFEST_FILE = 'skillsync.yaml';
export const MANIFEST_SCHEMA_ID = 'https://skillsync.dev/schemas/manifest.schema.json';
/** The manifest format version this skillsync reads and writes. */
export const MANIFEST_VERSION = 1;

/** The name of the one entry a client gets in gateway mode; no connector may take it. */
export const GATEWAY_ENTRY_NAME = 'skillsync';

/** Whether a connector is started locally (stdio) or reached over the network, and how. */
export function connectorTransport(connector: ConnectorDefinition): 'stdio' | 'http' | 'sse' {
  if (connector.command !== undefined) return 'stdio';
  return connector.transport ?? 'http';
}

/** What a connector runs or reaches: a stdio one's command line, a remote one's URL. */
export function connectorTarget(connector: ConnectorDefinition): string {
  return connector.command !== undefined ? [connector.command, ...(connector.args ?? [])].join(' ') : (connector.url ?? '');
}

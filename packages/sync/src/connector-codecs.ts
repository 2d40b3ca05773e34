import type { CodecReadResult, ConnectorsLocation, EditResult } from '@skillsync/clients';

/** A client's MCP config codec; JSON with comments is read and written by the JSON one. */
export type ConnectorCodecFormat = 'json' | 'toml' | 'yaml';

export const CONNECTOR_CODEC_FORMATS: readonly ConnectorCodecFormat[] = ['json', 'toml', 'yaml'];

/** Where the server entries sit in a file: what a codec needs of its location. */
export type EntriesLayout = Pick<ConnectorsLocation, 'format' | 'keyPath' | 'container'>;

export interface ConnectorEdit {
  readonly set: Readonly<Record<string, Record<string, unknown>>>;
  readonly remove: readonly string[];
}

/** Reads and edits the server entries of one file format (connector-entries.ts says which entries). */
export interface ConnectorCodec {
  read(text: string, layout: EntriesLayout): CodecReadResult<Record<string, unknown>>;
  edit(text: string | undefined, layout: EntriesLayout, edit: ConnectorEdit): EditResult;
}

/**
 * The codecs loaded so far. Each is loaded only when a file in its format must be
 * parsed or edited (`loadConnectorCodecs`): the YAML, JSONC and TOML parsers are most
 * of the code a sync would load, and a run that finds every client file as it last
 * parsed it (connector-entries-cache.ts) and changes nothing needs none of them.
 */
export type ConnectorCodecs = Readonly<Partial<Record<ConnectorCodecFormat, ConnectorCodec>>>;

export function connectorCodecFormat(layout: Pick<EntriesLayout, 'format'>): ConnectorCodecFormat {
  return layout.format === 'jsonc' ? 'json' : layout.format;
}

const loaders: Record<ConnectorCodecFormat, () => Promise<ConnectorCodec>> = {
  json: async () => (await import('./connector-codec-json.js')).jsonConnectorCodec,
  toml: async () => (await import('./connector-codec-toml.js')).tomlConnectorCodec,
  yaml: async () => (await import('./connector-codec-yaml.js')).yamlConnectorCodec,
};

/** `loaded` with the codecs of `formats` added (every format by default). */
export async function loadConnectorCodecs(formats: Iterable<ConnectorCodecFormat> = CONNECTOR_CODEC_FORMATS, loaded: ConnectorCodecs = {}): Promise<ConnectorCodecs> {
  const missing = [...new Set(formats)].filter((format) => loaded[format] === undefined);
  if (missing.length === 0) return loaded;
  const codecs = await Promise.all(missing.map((format) => loaders[format]()));
  return { ...loaded, ...Object.fromEntries(missing.map((format, index) => [format, codecs[index]])) };
}

/** The codec for `layout`; a programmer error when it was not loaded. */
export function connectorCodecFor(codecs: ConnectorCodecs, layout: Pick<EntriesLayout, 'format'>): ConnectorCodec {
  const format = connectorCodecFormat(layout);
  const codec = codecs[format];
  if (codec === undefined) throw new Error(`The ${format} connector codec is not loaded: pass the codecs loadConnectorCodecs gives.`);
  return codec;
}

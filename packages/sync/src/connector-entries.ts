import type { CodecReadResult, ConnectorsLocation, EditResult } from '@skillsync/clients';
import { connectorCodecFor, type ConnectorCodecs, type ConnectorEdit, type EntriesLayout } from './connector-codecs.js';

export type { ConnectorEdit } from './connector-codecs.js';

/**
 * The server entries of a client's MCP config, by name, read with the codec its
 * location calls for. No file holds none, and needs no codec.
 */
export function readConnectorEntries(text: string | undefined, layout: EntriesLayout, codecs: ConnectorCodecs): CodecReadResult<Record<string, unknown>> {
  if (text === undefined) return { ok: true, value: {} };
  return connectorCodecFor(codecs, layout).read(text, layout);
}

/** Sets and removes server entries, leaving every other byte of the file as it was. */
export function editConnectorEntries(text: string | undefined, location: ConnectorsLocation, edit: ConnectorEdit, codecs: ConnectorCodecs): EditResult {
  const start = text === undefined && Object.keys(edit.set).length > 0 && location.newFile !== undefined ? newFileText(location) : text;
  return connectorCodecFor(codecs, location).edit(start, location, edit);
}

export interface ConnectorsFileOptions {
  /** skillsync created the file (the journal says so). */
  readonly createdBySkillsync: boolean;
  readonly codecs: ConnectorCodecs;
}

/**
 * `editConnectorEntries` for the planner: when skillsync created the file
 * (`createdBySkillsync`) and the edit leaves nothing in it but the skeleton skillsync
 * itself wrote (the empty container, a client's new-file fields, whitespace), the
 * file is deleted (`text: undefined`) instead of left behind empty. A comment or any
 * other key someone added keeps the file.
 */
export function editConnectorsFile(
  text: string | undefined,
  location: ConnectorsLocation,
  edit: ConnectorEdit,
  options: ConnectorsFileOptions,
): { ok: true; text: string | undefined } | Extract<EditResult, { ok: false }> {
  if (text === undefined && Object.keys(edit.set).length === 0) return { ok: true, text: undefined };
  const result = editConnectorEntries(text, location, edit, options.codecs);
  if (!result.ok || !options.createdBySkillsync || !result.changed || edit.remove.length === 0) return result;
  return isEmptySkeleton(result.text, location, options.codecs) ? { ok: true, text: undefined } : result;
}

/** True when `text` is, whitespace aside, an emptied file as skillsync creates it (or the bare root it starts from). */
export function isEmptySkeleton(text: string, location: ConnectorsLocation, codecs: ConnectorCodecs): boolean {
  const probe = 'skillsync-probe';
  const created = editConnectorEntries(undefined, location, { set: { [probe]: {} }, remove: [] }, codecs);
  const emptied = created.ok ? editConnectorEntries(created.text, location, { set: {}, remove: [probe] }, codecs) : created;
  const bare = location.newFile !== undefined ? newFileText(location) : location.format === 'json' || location.format === 'jsonc' ? '{}' : '';
  const squeeze = (value: string): string => value.replace(/\s+/g, '').replace(/^\uFEFF/, '');
  const skeletons = [bare, ...(emptied.ok ? [emptied.text] : [])].map(squeeze);
  return skeletons.includes(squeeze(text));
}

/** The top-level keys a client needs in a file we create (Continue's block metadata); JSON scalars are valid YAML. */
function newFileText(location: ConnectorsLocation): string {
  const fields = Object.entries(location.newFile ?? {});
  if (location.format === 'yaml') return fields.map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`).join('');
  if (location.format === 'toml') return fields.map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`).join('');
  return `${JSON.stringify(Object.fromEntries(fields), null, 2)}\n`;
}

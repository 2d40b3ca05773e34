import {
  editJsonMap,
  editTomlTables,
  editYamlList,
  editYamlMap,
  readJsonMap,
  readTomlTables,
  readYamlList,
  readYamlMap,
  type CodecReadResult,
  type ConnectorsLocation,
  type EditResult,
} from '@skillsync/clients';

/** The field naming an item in a list container (Continue's `mcpServers:` list). */
const LIST_ID_FIELD = 'name';

/** The server entries of a client's MCP config, by name, read with the codec its location calls for. */
export function readConnectorEntries(text: string | undefined, location: ConnectorsLocation): CodecReadResult<Record<string, unknown>> {
  switch (location.format) {
    case 'json':
    case 'jsonc':
      return readJsonMap(text, location.keyPath);
    case 'toml':
      return readTomlTables(text, location.keyPath);
    case 'yaml':
      return location.container === 'list' ? readYamlList(text, location.keyPath, LIST_ID_FIELD) : readYamlMap(text, location.keyPath);
  }
}

export interface ConnectorEdit {
  readonly set: Readonly<Record<string, Record<string, unknown>>>;
  readonly remove: readonly string[];
}

/** Sets and removes server entries, leaving every other byte of the file as it was. */
export function editConnectorEntries(text: string | undefined, location: ConnectorsLocation, edit: ConnectorEdit): EditResult {
  const start = text === undefined && Object.keys(edit.set).length > 0 && location.newFile !== undefined ? newFileText(location) : text;
  const { keyPath } = location;
  switch (location.format) {
    case 'json':
    case 'jsonc':
      return editJsonMap(start, { keyPath, set: edit.set, remove: edit.remove });
    case 'toml':
      return editTomlTables(start, { prefix: keyPath, set: edit.set, remove: edit.remove });
    case 'yaml':
      return location.container === 'list'
        ? editYamlList(start, { keyPath, idField: LIST_ID_FIELD, set: edit.set, remove: edit.remove })
        : editYamlMap(start, { keyPath, set: edit.set, remove: edit.remove });
  }
}

/**
 * `editConnectorEntries` for the planner: when skillsync created the file
 * (`createdBySkillsync`) and the edit leaves nothing in it but the skeleton skillsync
 * itself wrote (the empty container, a client's new-file fields, whitespace), the
 * file is deleted (`text: undefined`) instead of left behind empty. A comment or any
 * other key someone added keeps the file.
 */
export function editConnectorsFile(text: string | undefined, location: ConnectorsLocation, edit: ConnectorEdit, createdBySkillsync: boolean): { ok: true; text: string | undefined } | Extract<EditResult, { ok: false }> {
  if (text === undefined && Object.keys(edit.set).length === 0) return { ok: true, text: undefined };
  const result = editConnectorEntries(text, location, edit);
  if (!result.ok || !createdBySkillsync || !result.changed || edit.remove.length === 0) return result;
  return isEmptySkeleton(result.text, location) ? { ok: true, text: undefined } : result;
}

/** True when `text` is, whitespace aside, an emptied file as skillsync creates it (or the bare root it starts from). */
export function isEmptySkeleton(text: string, location: ConnectorsLocation): boolean {
  const probe = 'skillsync-probe';
  const created = editConnectorEntries(undefined, location, { set: { [probe]: {} }, remove: [] });
  const emptied = created.ok ? editConnectorEntries(created.text, location, { set: {}, remove: [probe] }) : created;
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

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

/** The top-level keys a client needs in a file we create (Continue's block metadata); JSON scalars are valid YAML. */
function newFileText(location: ConnectorsLocation): string {
  const fields = Object.entries(location.newFile ?? {});
  if (location.format === 'yaml') return fields.map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`).join('');
  if (location.format === 'toml') return fields.map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`).join('');
  return `${JSON.stringify(Object.fromEntries(fields), null, 2)}\n`;
}

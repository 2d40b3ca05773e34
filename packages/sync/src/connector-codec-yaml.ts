import { editYamlList, editYamlMap, readYamlList, readYamlMap } from '@skillsync/clients';
import type { ConnectorCodec } from './connector-codecs.js';

/** The field naming an item in a list container (Continue's `mcpServers:` list). */
const LIST_ID_FIELD = 'name';

export const yamlConnectorCodec: ConnectorCodec = {
  read: (text, { keyPath, container }) => (container === 'list' ? readYamlList(text, keyPath, LIST_ID_FIELD) : readYamlMap(text, keyPath)),
  edit: (text, { keyPath, container }, { set, remove }) =>
    container === 'list' ? editYamlList(text, { keyPath, idField: LIST_ID_FIELD, set, remove }) : editYamlMap(text, { keyPath, set, remove }),
};

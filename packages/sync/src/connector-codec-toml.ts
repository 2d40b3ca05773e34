import { editTomlTables, readTomlTables } from '@skillsync/clients';
import type { ConnectorCodec } from './connector-codecs.js';

export const tomlConnectorCodec: ConnectorCodec = {
  read: (text, { keyPath }) => readTomlTables(text, keyPath),
  edit: (text, { keyPath }, { set, remove }) => editTomlTables(text, { prefix: keyPath, set, remove }),
};

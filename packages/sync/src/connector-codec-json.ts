import { editJsonMap, readJsonMap } from '@skillsync/clients';
import type { ConnectorCodec } from './connector-codecs.js';

export const jsonConnectorCodec: ConnectorCodec = {
  read: (text, { keyPath }) => readJsonMap(text, keyPath),
  edit: (text, { keyPath }, { set, remove }) => editJsonMap(text, { keyPath, set, remove }),
};

export {
  type CodecFailure,
  type CodecProblem,
  type CodecProblemCode,
  type EditResult,
  type EditSuccess,
  type MapEdit,
  type CodecReadResult,
} from './codec-result.js';
export { detectTextStyle, type TextStyle } from './detect-text-style.js';
export { deepEqual } from './deep-equal.js';
export { editJsonMap, readJsonMap } from './edit-json-map.js';
export { editTomlTables, readTomlTables, type TomlTablesEdit } from './edit-toml-tables.js';
export { editYamlMap, readYamlMap } from './edit-yaml-map.js';
export { editYamlList, readYamlList, type ListEdit } from './edit-yaml-list.js';
export {
  hashManagedContent,
  readManagedBlock,
  removeManagedBlock,
  renderManagedBlock,
  wrapInManagedBlock,
  type ManagedBlock,
  type ManagedBlockInput,
} from './render-managed-block.js';

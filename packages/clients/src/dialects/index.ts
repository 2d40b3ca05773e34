export {
  connectorFeaturesOf,
  defineDialect,
  REFERENCE_FIELDS,
  type ConnectorDialect,
  type ConnectorFeatures,
  type EntryOutcome,
  type EntryShape,
  type EnvInterpolation,
  type ReadResult,
  type ReferenceField,
  type RenderNote,
  type RenderResult,
  type TemplateSyntax,
  type ToolAllowList,
  type TranslatedConnector,
  type Transport,
} from './connector-dialect.js';
export { mcpServersShape } from './mcp-servers-shape.js';
export { renderCodexEntry } from './render-codex-entry.js';
export { renderConnector } from './render-connector.js';
export { readConnector } from './read-connector.js';

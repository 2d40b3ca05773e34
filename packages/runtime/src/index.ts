// The gateway runtime: one MCP server in front of every connector of a manifest, with
// namespacing, secrets injected at spawn/connect time, and the governance hooks
// (authorize, redact, audit) on every call. `skillsync serve` is its CLI shell.
export {
  createGateway,
  type ConnectorChanges,
  type CreateServerOptions,
  type DirectCalls,
  type DownstreamEra,
  type DownstreamTransport,
  type Gateway,
  type GatewayEvent,
  type GatewayOptions,
} from './gateway.js';
export { serveGatewayStdio, type StdioServing, type StdioServingOptions } from './serve-stdio.js';
export { authorized, MIN_TOKEN_LENGTH, serveGatewayHttp, type HttpServing, type HttpServingOptions } from './serve-http.js';
export {
  allowAll,
  type AuditOutcome,
  type AuditRecord,
  type AuditSink,
  type AuthorizationDecision,
  type AuthorizationRequest,
  type Authorize,
  type GatewayAction,
  type GatewayResourceType,
  type Principal,
  type Redaction,
  type RedactionFinding,
  type RedactionResult,
} from './hooks.js';
export {
  connectorNameProblem,
  DEFAULT_NAMESPACE_MODE,
  exposeNames,
  MAX_TOOL_NAME_LENGTH,
  NAMESPACE_MODES,
  NAMESPACE_SEPARATOR,
  namespacedName,
  splitNamespacedName,
  type NameClaim,
  type NamespaceMode,
} from './namespacing.js';
export { GATEWAY_OWNER, type GatewaySkillSource } from './gateway-skills.js';
export { INHERITED_ENV_VARS, resolveConnectorLaunch, type ConnectorLaunch, type ResolveSecret } from './connector-launch.js';
export type { ConnectorState, ConnectorStatus, ListKind } from './upstream.js';
export { ChildProcessTransport, type ChildTransportOptions } from './child-transport.js';

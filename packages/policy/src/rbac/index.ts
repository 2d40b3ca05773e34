export { createRbacEngine, type RbacEngine, type RbacEngineOptions, type RbacRequest, type RbacResource } from './engine.js';
export { RBAC_POLICY, RBAC_POLICY_FILE } from './policy.js';
export {
  ORG_ROLES,
  RBAC_ACTION_RESOURCE_TYPES,
  RBAC_ACTIONS,
  RBAC_CEDAR_NAMESPACE,
  RBAC_CEDAR_SCHEMA,
  TOKEN_SCOPE_INCLUDES,
  TOKEN_SCOPES,
  type OrgRole,
  type RbacAction,
  type RbacResourceType,
  type TokenScope,
} from './schema.js';

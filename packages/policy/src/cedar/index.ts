export { checkPolicies, MAX_POLICY_FILE_BYTES, type CompiledPolicy, type PolicyCheckResult, type PolicyFile, type PolicyFinding, type PolicyFindingCode } from './check-policies.js';
export {
  ACTION_RESOURCE_TYPE,
  createPolicyEngine,
  POLICY_ACTIONS,
  type AuthorizationRequest,
  type PolicyAction,
  type PolicyEngine,
  type PolicyEngineOptions,
  type PolicyEntity,
  type PolicyEntityType,
  type PolicyResourceType,
} from './engine.js';
export type { AuthorizationDecision } from './engine-core.js';
export { loadPolicyFiles, policyFileId, policyFilesAt, POLICY_FILE_EXTENSION, type LoadPolicyFilesOptions } from './policy-files.js';
export {
  findPolicyTestFiles,
  isPolicyTestFile,
  loadPolicyTests,
  parsePolicyTests,
  runPolicyTests,
  type PolicyTestCase,
  type PolicyTestReport,
  type PolicyTestResult,
} from './policy-tests.js';
export { CEDAR_NAMESPACE, DEFAULT_POLICY, DEFAULT_POLICY_FILE, SKILLSYNC_CEDAR_SCHEMA } from './schema.js';

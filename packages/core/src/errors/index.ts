export { errorCatalogue, isErrorCode, type ErrorCode } from './codes.js';
export {
  SkillsyncError,
  isSkillsyncError,
  toSkillsyncError,
  type SerializedError,
  type SkillsyncErrorOptions,
} from './skillsync-error.js';
export {
  credentialPatterns,
  isSecretReference,
  knownSecretValues,
  REDACTED,
  redactSecrets,
  registerSecret,
  secretAssignmentPattern,
  sensitiveKeyPattern,
  type CredentialKind,
  type CredentialPattern,
} from './redact.js';

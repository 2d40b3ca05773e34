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
  REDACTION_DETECTOR_NAMES,
  redactSecrets,
  registerSecret,
  secretAssignmentPattern,
  sensitiveKeyPattern,
  type CredentialKind,
  type CredentialPattern,
  type RedactionDetectorName,
} from './redact.js';

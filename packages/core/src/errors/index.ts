export { errorCatalogue, isErrorCode, type ErrorCode } from './codes.js';
export {
  SkillsyncError,
  isSkillsyncError,
  toSkillsyncError,
  type SerializedError,
  type SkillsyncErrorOptions,
} from './skillsync-error.js';
export { REDACTED, redactSecrets, registerSecret } from './redact.js';

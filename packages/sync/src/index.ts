export { planSync, planSyncLoadingCodecs, type PlanSyncInput } from './plan-sync.js';
export { loadConnectorCodecs, type ConnectorCodecFormat, type ConnectorCodecs } from './connector-codecs.js';
export {
  createDesiredState,
  instructionFilePath,
  listInstructionFiles,
  type DesiredInstruction,
  type DesiredSkill,
  type DesiredState,
  type InstalledSkillInput,
} from './create-desired-state.js';
export { emptyJournal, type ItemKind, type Journal, type JournalEntry } from './journal.js';
export { hashValue } from './hash-value.js';
export { INSTRUCTIONS_BLOCK_ID, renderInstructionsContent } from './render-instructions.js';
export {
  DRIFT_STATUSES,
  type ItemStatus,
  type PlannedFile,
  type PlannedFileFormat,
  type PlannedSkill,
  type SyncItem,
  type SyncPlan,
  type SyncProblem,
  type SyncWarning,
} from './sync-plan.js';
export { readWorld, skillNamesToRead, UNHASHABLE_SKILL_FOLDER, type ReadWorldOptions, type World } from './read-world.js';
export { journalFile, loadJournal, saveJournal } from './journal-store.js';
export {
  loadSkillFolderFingerprints,
  memorySkillFolderFingerprints,
  skillFolderFingerprintsFile,
  type FingerprintOptions,
  type SkillFolderFingerprints,
} from './skill-folder-fingerprints.js';
export { applyPlan, syncLockTarget, type ApplyPlanOptions, type ApplyResult, type SkippedPath } from './apply-plan.js';
export { listRuns, rollback, type RollbackOptions, type RollbackResult, type RunSummary } from './rollback.js';
export * from './import/index.js';

export {
  readClientInventory,
  type ClientInventory,
  type FoundConnector,
  type FoundInstructions,
  type FoundSkill,
  type ReadInventoryOptions,
} from './read-client-inventory.js';
export {
  planImport,
  IMPORTED_SKILL_VERSION,
  type ImportedConnector,
  type ImportedInstruction,
  type ImportedSecret,
  type ImportedSkill,
  type ImportNote,
  type ImportNoteCode,
  type ImportOrigin,
  type ImportPlan,
  type PlanImportInput,
} from './plan-import.js';
export { adoptJournalEntries } from './adopt-journal-entries.js';

// The skill builder: what the dashboard's builder page, `skillsync new --add` and `skillsync dev` share.
export { checkDraft, type CheckedDraft } from './check-draft.js';
export { previewDraft, skillLandings, type PreviewOptions } from './preview-draft.js';
export { createSkill, createSkillFromDraft, type CreatedSkill, type CreateSkillOptions, type NewSkillOptions } from './create-skill.js';
export { writeSkillFolder } from './write-skill-folder.js';
export { runDevPass, type DevPass, type DevPassOptions, type DevSyncReport } from './dev-pass.js';
export { watchSkillFolder, type SkillFolderWatcher, type WatchSkillFolderOptions } from './watch-skill-folder.js';

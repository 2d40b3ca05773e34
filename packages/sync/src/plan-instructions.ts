import { hashManagedContent, readManagedBlock, removeManagedBlock, renderManagedBlock, wrapInManagedBlock, type InstructionsFormat, type Located, type ScopedRulesLocation } from '@skillsync/clients';
import { pathFor, type Env } from '@skillsync/core';
import type { DesiredInstruction } from './create-desired-state.js';
import type { JournalEntry } from './journal.js';
import type { PlanKindOptions } from './plan-connectors.js';
import {
  INSTRUCTIONS_BLOCK_ID,
  isScoped,
  renderInstructionsContent,
  renderOwnedInstructionsFile,
  renderScopedRuleFile,
  scopedRuleFileNames,
  type ScopedInstruction,
} from './render-instructions.js';
import type { SyncItem } from './sync-plan.js';

/**
 * Plans one client's instructions: the instruction file of the scope, and, where the
 * client has per-glob rule files (`scopedRules`), one rule file per scoped instruction.
 * The instruction file holds the unscoped instructions then (all of them otherwise,
 * the scoped ones with an "Applies to" line); its item is named `instructions`, each
 * rule file's after its instruction. Rule files skillsync wrote (the journal says
 * which) are removed when their instruction goes or loses its scope.
 */
export function planInstructions(options: PlanKindOptions, location: Located<'instructions'>): void {
  const { adapter, scope, desired, written, plan, env } = options;
  if (location.kind === 'unsupported') {
    if (desired.instructions.length > 0) plan.items.push({ client: adapter.id, scope, kind: 'instructions', name: INSTRUCTIONS_BLOCK_ID, status: 'unsupported', detail: location.reason });
    return;
  }
  const rules = location.scopedRules;
  const inFile = rules === undefined ? desired.instructions : desired.instructions.filter((instruction) => !isScoped(instruction));
  const content = renderInstructionsContent(inFile);
  const kept = inFile.filter(isScoped).map((instruction) => instruction.id);
  const owned = location.ownership === 'file';
  planInstructionFile(options, {
    name: INSTRUCTIONS_BLOCK_ID,
    path: location.path,
    format: location.format,
    owned,
    content: inFile.length > 0 ? content : undefined,
    wholeText: owned ? renderOwnedInstructionsFile(content, location.frontmatter) : undefined,
    journal: written.find((entry) => entry.ruleFile !== true && entry.name === INSTRUCTIONS_BLOCK_ID),
    ruleFile: false,
    gone: inFile.length === desired.instructions.length ? 'no instructions in the desired state' : 'every instruction is scoped, each in a rule file of its own',
    note: kept.length === 0 ? undefined : `scoped instructions stay in this file with an "Applies to" line (no per-glob rule files for ${adapter.displayName} at ${scope} scope): ${kept.join(', ')}`,
  });

  const ruleEntries = written.filter((entry) => entry.ruleFile === true);
  const gone = 'its instruction is gone or no longer scoped';
  const wanted = new Set<string>();
  if (rules !== undefined) {
    for (const { instruction, path } of scopedRuleFiles(env, rules, desired.instructions)) {
      wanted.add(path);
      const journal = ruleEntries.find((entry) => entry.path === path);
      const text = renderScopedRuleFile(instruction, rules);
      planInstructionFile(options, { name: instruction.id, path, format: rules.format, owned: true, content: renderInstructionsContent([instruction]), wholeText: text, journal, ruleFile: true, gone });
    }
  }
  for (const entry of ruleEntries) {
    if (wanted.has(entry.path)) continue;
    const format: InstructionsFormat = entry.path.endsWith('.mdc') ? 'mdc' : 'markdown';
    planInstructionFile(options, { name: entry.name, path: entry.path, format, owned: true, content: undefined, wholeText: undefined, journal: entry, ruleFile: true, gone });
  }
}

/** Each scoped instruction with the path of its rule file in `rules.dir`, in manifest order. */
export function scopedRuleFiles(env: Env, rules: ScopedRulesLocation, instructions: readonly DesiredInstruction[]): { readonly instruction: ScopedInstruction; readonly path: string }[] {
  const scoped = instructions.filter(isScoped);
  const names = scopedRuleFileNames(scoped, rules.extension);
  return scoped.map((instruction, index) => ({ instruction, path: pathFor(env).join(rules.dir, names[index] as string) }));
}

/** One file of instructions to plan: the client's instruction file or one rule file. */
interface InstructionFile {
  readonly name: string;
  readonly path: string;
  readonly format: InstructionsFormat;
  /** The file is skillsync's whole (frontmatter + block); otherwise only the managed block in it is. */
  readonly owned: boolean;
  /** The block content wanted; undefined when the file should hold none (removal). */
  readonly content: string | undefined;
  /** The whole text of an owned file, when wanted. */
  readonly wholeText: string | undefined;
  /** What skillsync last wrote there. */
  readonly journal: JournalEntry | undefined;
  readonly ruleFile: boolean;
  /** Why the file is to hold nothing, said when it is removed. */
  readonly gone: string;
  /** Said on the item besides its status. */
  readonly note?: string;
}

/**
 * Plans one instruction file. `block` ownership: our managed block inside a file the
 * user also writes; owned: a file we own whole (frontmatter + block).
 */
function planInstructionFile(options: PlanKindOptions, file: InstructionFile): void {
  const { adapter, scope, files, plan } = options;
  const { name, path, owned, journal, wholeText } = file;
  const client = adapter.id;
  const base = { client, scope, kind: 'instructions', name } as const;
  const wanted = file.content !== undefined;
  const content = file.content ?? '';
  const before = files.get(path);
  const read = readManagedBlock(before, INSTRUCTIONS_BLOCK_ID);
  if (!read.ok) {
    plan.problems.push({ client, path, ...read.problem });
    return;
  }
  const block = read.value;
  const hash = hashManagedContent(content);
  const item = (fields: Omit<SyncItem, 'client' | 'scope' | 'kind' | 'name' | 'path'>): void => {
    const detail = [fields.detail, file.note].filter((part) => part !== undefined).join('; ');
    plan.items.push({ ...base, path, ...fields, ...(detail === '' ? {} : { detail }) });
  };
  const record = (): void => {
    plan.journal.push({ ...base, path, hash, ...(file.ruleFile ? { ruleFile: true } : {}) });
  };
  const push = (apply: (text: string | undefined) => ReturnType<typeof renderManagedBlock> | { ok: true; text: string | undefined }): void => {
    plan.fileOps.push({ client, path, format: file.format, apply });
  };
  const write = (): void => {
    if (wholeText !== undefined) push(() => ({ ok: true, text: wholeText }));
    else push((text) => renderManagedBlock(text, { id: INSTRUCTIONS_BLOCK_ID, content }));
  };
  const erase = (): void => {
    if (owned) push(() => ({ ok: true, text: undefined }));
    else push((text) => removeManagedBlock(text, INSTRUCTIONS_BLOCK_ID));
  };

  if (block === undefined) {
    // Imported as it stood: its text is in the desired state, so the block takes its place. Edited since, it is the user's again.
    if (journal?.adopted === true && wanted && before !== undefined && hashManagedContent(before) === journal.hash) {
      item({ status: 'outdated', detail: 'imported: sync moves its text into the skillsync block' });
      if (owned) push(() => ({ ok: true, text: wholeText }));
      else {
        push((text) => {
          // Several clients reading one file: the first wraps it, the others find the block.
          const current = readManagedBlock(text, INSTRUCTIONS_BLOCK_ID);
          return current.ok && current.value !== undefined ? renderManagedBlock(text, { id: INSTRUCTIONS_BLOCK_ID, content }) : { ok: true, text: wrapInManagedBlock(text ?? '', { id: INSTRUCTIONS_BLOCK_ID, content }) };
        });
      }
      record();
      return;
    }
    if (owned && before !== undefined) {
      // A file at our path without our block was written by someone else (or edited since it was imported).
      if (journal === undefined || journal.adopted === true) {
        if (wanted) item({ status: 'conflict', detail: `${path} exists and was not written by skillsync; move it away to let skillsync own it` });
        return;
      }
      item({ status: 'modified', overwritesEdit: true, removal: !wanted, detail: 'the skillsync block was removed from the file by hand' });
      if (wanted) {
        write();
        record();
      } else erase();
      return;
    }
    if (!wanted) return;
    item({ status: 'missing' });
    write();
    record();
    return;
  }

  // Ours: the markers say so. Untouched when its content still hashes to what we wrote.
  const untouched = journal === undefined ? block.intact : hashManagedContent(block.content) === journal.hash && block.intact;
  const inSync = owned ? before === wholeText : block.content === content && block.intact;
  if (!wanted) {
    item(untouched ? { status: 'outdated', removal: true, detail: `${file.gone}: removed` } : { status: 'modified', removal: true, overwritesEdit: true, detail: `edited by hand, and ${file.gone}: removed` });
    erase();
    return;
  }
  if (inSync) {
    item({ status: 'in-sync' });
    record();
    return;
  }
  const outsideTouched = owned && block.content === content && block.intact;
  item(untouched && !outsideTouched ? { status: 'outdated' } : { status: 'modified', overwritesEdit: true, detail: 'edited since skillsync wrote it; sync puts the desired text back' });
  write();
  record();
}

import { hashManagedContent, readManagedBlock, removeManagedBlock, renderManagedBlock, wrapInManagedBlock, type Located } from '@skillsync/clients';
import type { PlanKindOptions } from './plan-connectors.js';
import { INSTRUCTIONS_BLOCK_ID, renderInstructionsContent, renderOwnedInstructionsFile } from './render-instructions.js';
import type { SyncItem } from './sync-plan.js';

/**
 * Plans one client's instruction file. `block` ownership: our managed block inside a
 * file the user also writes; `file` ownership: a file we own whole (frontmatter +
 * block). The item is named `instructions` (one block for all of them).
 */
export function planInstructions(options: PlanKindOptions, location: Located<'instructions'>): void {
  const { adapter, scope, desired, files, written, plan } = options;
  const client = adapter.id;
  const name = INSTRUCTIONS_BLOCK_ID;
  const base = { client, scope, kind: 'instructions', name } as const;
  const wanted = desired.instructions.length > 0;

  if (location.kind === 'unsupported') {
    if (wanted) plan.items.push({ ...base, status: 'unsupported', detail: location.reason });
    return;
  }
  const { path } = location;
  const before = files.get(path);
  const read = readManagedBlock(before, INSTRUCTIONS_BLOCK_ID);
  if (!read.ok) {
    plan.problems.push({ client, path, ...read.problem });
    return;
  }
  const block = read.value;
  const journal = written.find((entry) => entry.name === name);
  const content = renderInstructionsContent(desired.instructions);
  const hash = hashManagedContent(content);
  const owned = location.ownership === 'file';
  const wholeText = owned ? renderOwnedInstructionsFile(content, location.frontmatter) : undefined;
  const item = (fields: Omit<SyncItem, 'client' | 'scope' | 'kind' | 'name' | 'path'>): void => {
    plan.items.push({ ...base, path, ...fields });
  };
  const record = (): void => {
    plan.journal.push({ ...base, path, hash });
  };
  const push = (apply: (text: string | undefined) => ReturnType<typeof renderManagedBlock> | { ok: true; text: string | undefined }): void => {
    plan.fileOps.push({ client, path, format: location.format, apply });
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
    item(untouched ? { status: 'outdated', removal: true, detail: 'no instructions in the desired state: removed' } : { status: 'modified', removal: true, overwritesEdit: true, detail: 'edited by hand, and no instructions in the desired state: removed' });
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

import { connectorDialectAt, deepEqual, renderConnector, type ClientAdapter, type CodecReadResult, type ConnectorsLocation, type Located } from '@skillsync/clients';
import { GATEWAY_ENTRY_NAME, type Env } from '@skillsync/core';
import { connectorCodecFormat } from './connector-codecs.js';
import { editConnectorsFile } from './connector-entries.js';
import type { DesiredState } from './create-desired-state.js';
import { hashValue } from './hash-value.js';
import type { JournalEntry } from './journal.js';
import type { ClientPlan, SyncItem } from './sync-plan.js';

export interface PlanKindOptions {
  readonly env: Env;
  readonly adapter: ClientAdapter;
  readonly scope: 'user' | 'project';
  readonly desired: DesiredState;
  readonly files: ReadonlyMap<string, string | undefined>;
  readonly skillDirs: ReadonlyMap<string, { readonly integrity: string } | undefined>;
  /** `renderConnector`, or a memo of it shared with the mode decision for this client (`memoRenderConnector`). */
  readonly render?: typeof renderConnector;
  /** `skillDirs` present on disk, grouped by skills folder (`presentSkillDirsByRoot`), when the caller built it once for every client. */
  readonly skillDirsByRoot?: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  /** This client's journal entries of this kind at this scope. */
  readonly written: readonly JournalEntry[];
  /** Every journal entry of this scope, any client: a shared folder's entry may have been written for another client. */
  readonly writtenInScope: readonly JournalEntry[];
  readonly plan: ClientPlan;
  /** The server entries of a connector file as it is now (`text` undefined: no file). */
  readonly readEntries: (path: string, text: string | undefined, location: ConnectorsLocation) => CodecReadResult<Record<string, unknown>>;
}

/**
 * Plans one client's MCP config: each desired connector rendered in the client's
 * dialect and compared with the file and the journal; entries we once wrote and no
 * longer want are removed; everything else in the file is listed, never touched.
 */
export function planConnectors(options: PlanKindOptions, location: Located<'connectors'>): void {
  const { adapter, scope, desired, files, written, plan } = options;
  const client = adapter.id;
  const base = { client, scope, kind: 'connector' } as const;
  const names = Object.keys(desired.connectors);

  if (location.kind === 'unsupported') {
    for (const name of names) plan.items.push({ ...base, name, status: 'unsupported', detail: location.reason });
    return;
  }

  // A client reading one of several file names (opencode.json / opencode.jsonc): edit the one that exists.
  const candidates = [location.path, ...(location.alternatives ?? [])];
  const path = candidates.find((candidate) => files.get(candidate) !== undefined) ?? location.path;
  const before = files.get(path);
  const read = options.readEntries(path, before, location);
  if (!read.ok) {
    plan.problems.push({ client, path, ...read.problem });
    return;
  }
  const current = read.value;
  const dialect = connectorDialectAt(adapter, location);
  // A file skillsync created keeps saying so in the journal, so that removing our last entry deletes it again.
  const created = before === undefined || createdConnectorFiles(options.writtenInScope).has(path);
  const ours = new Map(written.map((entry) => [entry.name, entry]));
  const set: Record<string, Record<string, unknown>> = {};
  const remove: string[] = [];
  const item = (name: string, fields: Omit<SyncItem, 'client' | 'scope' | 'kind' | 'name' | 'path'>): void => {
    plan.items.push({ ...base, name, path, ...fields });
  };
  const record = (name: string, value: unknown): void => {
    plan.journal.push({ ...base, name, path, hash: hashValue(value), ...(created ? { createdFile: true } : {}) });
  };

  const wanted = new Set<string>();
  for (const name of names) {
    const connector = desired.connectors[name];
    if (connector === undefined) continue;
    const rendered = (options.render ?? renderConnector)(connector, dialect, name);
    if (rendered.kind !== 'rendered') {
      const adopted = ours.get(name);
      if (adopted?.adopted === true && Object.hasOwn(current, name) && hashValue(current[name]) === adopted.hash) {
        // Imported as the client had it (a literal token, say): it keeps working there until the client can take the desired form.
        wanted.add(name);
        plan.journal.push(adopted);
        item(name, { status: rendered.kind, detail: `${rendered.reason}; the client's own entry is kept meanwhile` });
        continue;
      }
      item(name, { status: rendered.kind, detail: rendered.reason });
      continue;
    }
    wanted.add(name);
    const value = rendered.value;
    const notes = rendered.notes.map((note) => `${note.field}: ${note.message}`).join('; ');
    const detail = notes === '' ? {} : { detail: notes };
    if (!Object.hasOwn(current, name)) {
      item(name, { status: 'missing', ...detail });
      set[name] = value;
      record(name, value);
      continue;
    }
    const existing = current[name];
    if (deepEqual(existing, value)) {
      // Equal to what we want counts as ours from now on, even if a person wrote it.
      item(name, { status: 'in-sync', ...detail });
      record(name, value);
      continue;
    }
    const journal = ours.get(name);
    if (journal === undefined) {
      item(name, { status: 'conflict', detail: `a server named "${name}" that skillsync did not write is already in the file; rename or remove it to let skillsync manage "${name}"` });
      continue;
    }
    const untouched = hashValue(existing) === journal.hash;
    item(name, untouched ? { status: 'outdated', ...detail } : { status: 'modified', overwritesEdit: true, detail: 'edited since skillsync wrote it; sync puts the desired entry back' });
    set[name] = value;
    record(name, value);
  }

  for (const [name, journal] of ours) {
    if (wanted.has(name) || !Object.hasOwn(current, name)) continue;
    const untouched = hashValue(current[name]) === journal.hash;
    item(name, untouched ? { status: 'outdated', removal: true, detail: 'no longer in the desired state: removed' } : { status: 'modified', removal: true, overwritesEdit: true, detail: 'edited since skillsync wrote it, and no longer in the desired state: removed' });
    remove.push(name);
  }
  for (const name of Object.keys(current)) {
    if (Object.hasOwn(desired.connectors, name) || ours.has(name)) continue;
    // Added by hand, and a policy above the manifests refuses it: governance outranks "never touch a foreign entry" (the backup keeps it for rollback).
    const refused = name === GATEWAY_ENTRY_NAME ? undefined : desired.refusedConnector?.(name);
    if (refused === undefined) {
      item(name, { status: 'unmanaged' });
      continue;
    }
    item(name, { status: 'modified', removal: true, overwritesEdit: true, refused, detail: `${refused}; added by hand: sync removes it` });
    remove.push(name);
  }

  if (Object.keys(set).length === 0 && remove.length === 0) return;
  plan.fileOps.push({
    client,
    path,
    format: location.format,
    codec: connectorCodecFormat(location),
    apply: (text, codecs) => editConnectorsFile(text, location, { set, remove }, { createdBySkillsync: created, codecs }),
  });
}

const createdFilesCache = new WeakMap<readonly JournalEntry[], ReadonlySet<string>>();

/** The connector files the journal says skillsync created, once per journal (every client of a plan asks). */
function createdConnectorFiles(entries: readonly JournalEntry[]): ReadonlySet<string> {
  let files = createdFilesCache.get(entries);
  if (files === undefined) {
    files = new Set(entries.filter((entry) => entry.kind === 'connector' && entry.createdFile === true).map((entry) => entry.path));
    createdFilesCache.set(entries, files);
  }
  return files;
}

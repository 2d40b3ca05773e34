import { connectorDialectAt, type ClientAdapter, type CodecReadResult } from '@skillsync/clients';
import { byteOrder, GATEWAY_ENTRY_NAME, pathFor, type ClientId, type Env } from '@skillsync/core';
import { connectorCodecFormat, loadConnectorCodecs, type ConnectorCodecFormat, type ConnectorCodecs } from './connector-codecs.js';
import { readConnectorEntries } from './connector-entries.js';
import type { DesiredState } from './create-desired-state.js';
import { sameJournalEntries, sortJournalEntries, type Journal, type JournalEntry } from './journal.js';
import { planConnectors, type PlanKindOptions } from './plan-connectors.js';
import { planInstructions } from './plan-instructions.js';
import { planSkills, presentSkillDirsByRoot } from './plan-skills.js';
import { connectorModeFor, gatewayConnector, memoRenderConnector } from './gateway-mode.js';
import { connectorEntriesKey } from './read-connector-files.js';
import { createClientPlan, type ClientPlan, type FileOp, type OpResult, type PlannedFile, type PlannedSkill, type SyncPlan } from './sync-plan.js';

export interface PlanSyncInput {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  /** Defaults to `env.cwd` (project scope only). */
  readonly projectRoot?: string;
  /** The target clients, in the order their items are reported. */
  readonly clients: readonly ClientAdapter[];
  readonly desired: DesiredState;
  /** The current text of every file the adapters name for this scope; absent (or undefined) = no such file. */
  readonly files: ReadonlyMap<string, string | undefined>;
  /** What each skill folder on disk hashes to (its integrity), computed by the caller; absent = no folder. */
  readonly skillDirs: ReadonlyMap<string, { readonly integrity: string } | undefined>;
  readonly journal: Journal;
  /** The server entries of connector files already parsed (`readWorld` gives them), by `connectorEntriesKey`; the others are parsed here. */
  readonly connectorEntries?: ReadonlyMap<string, CodecReadResult<Record<string, unknown>>>;
  /**
   * The codecs for the connector files to parse (those `connectorEntries` lacks) and
   * to edit (`loadConnectorCodecs`). Needed only for those: a plan that reads no such
   * file and edits none needs none. `planSyncLoadingCodecs` loads what is missing.
   */
  readonly connectorCodecs?: ConnectorCodecs;
}

/**
 * The plan of one sync at one scope: every file edit, skill folder action and item
 * status, and the journal as it will be once applied. Pure: no I/O, no clock.
 *
 * A client whose file cannot be read or edited gets a problem and no edits at all
 * (a half-synced client is worse than an untouched one); the others are still
 * planned. Files several clients read (the project `AGENTS.md`, `.agents/skills`)
 * get one edit carrying every client's name.
 */
export function planSync(input: PlanSyncInput): SyncPlan {
  return finishPlan(draftPlan(input), input.connectorCodecs ?? {});
}

/**
 * `planSync`, loading the connector codecs it needs first: those of the files
 * `connectorEntries` has no entries for, and, once the edits are known, those of the
 * files to edit. A plan that finds every file as parsed before and edits none loads
 * no codec.
 */
export async function planSyncLoadingCodecs(input: PlanSyncInput): Promise<SyncPlan> {
  const connectorCodecs = await loadConnectorCodecs(connectorFilesToParse(input), input.connectorCodecs);
  const draft = draftPlan({ ...input, connectorCodecs });
  const needed = draft.planned.flatMap(({ plan }) => plan.fileOps.flatMap((op) => (op.codec === undefined ? [] : [op.codec])));
  return finishPlan(draft, await loadConnectorCodecs(needed, connectorCodecs));
}

/** The formats of the connector files `planConnectors` will read that `connectorEntries` has no entries for. */
function connectorFilesToParse(input: PlanSyncInput): ConnectorCodecFormat[] {
  const formats: ConnectorCodecFormat[] = [];
  for (const adapter of input.clients) {
    const location = adapter.locations(input.env, input.scope, input.scope === 'project' ? input.projectRoot : undefined).connectors;
    if (location.kind === 'unsupported') continue;
    for (const path of [location.path, ...(location.alternatives ?? [])]) {
      if (input.files.get(path) !== undefined && input.connectorEntries?.has(connectorEntriesKey(path, location)) !== true) formats.push(connectorCodecFormat(location));
    }
  }
  return formats;
}

/** Every client planned, its file edits not applied yet (the codecs they need may still be loading). */
interface DraftPlan {
  readonly input: PlanSyncInput;
  readonly planned: readonly { readonly adapter: ClientAdapter; readonly plan: ClientPlan }[];
}

function draftPlan(input: PlanSyncInput): DraftPlan {
  const { env, scope, desired, files, skillDirs } = input;
  const writtenInScope = input.journal.entries.filter((entry) => entry.scope === scope);
  // Indexed once: filtering thousands of entries per client and kind adds up.
  const writtenByClientKind = new Map<string, JournalEntry[]>();
  for (const entry of writtenInScope) {
    const key = `${entry.client}\u0000${entry.kind}`;
    const list = writtenByClientKind.get(key);
    if (list === undefined) writtenByClientKind.set(key, [entry]);
    else list.push(entry);
  }
  const planned: { adapter: ClientAdapter; plan: ClientPlan }[] = [];
  const skillDirsByRoot = presentSkillDirsByRoot(skillDirs, pathFor(env));
  const codecs = input.connectorCodecs ?? {};
  const readEntries: PlanKindOptions['readEntries'] = (path, text, location) =>
    input.connectorEntries?.get(connectorEntriesKey(path, location)) ?? readConnectorEntries(text, location, codecs);

  for (const adapter of input.clients) {
    const locations = adapter.locations(env, scope, scope === 'project' ? input.projectRoot : undefined);
    const plan = createClientPlan();
    const writtenBy = (kind: JournalEntry['kind']): JournalEntry[] => writtenByClientKind.get(`${adapter.id}\u0000${kind}`) ?? [];
    const render = memoRenderConnector();
    const base: Omit<PlanKindOptions, 'written'> = { env, adapter, scope, desired, files, skillDirs, skillDirsByRoot, writtenInScope, plan, render, readEntries };
    // Gateway mode: the client's MCP config holds one entry that starts the gateway, which serves every connector.
    const dialect = locations.connectors.kind === 'supported' ? connectorDialectAt(adapter, locations.connectors) : adapter.connectorDialect;
    const mode = connectorModeFor(adapter, dialect, desired.gateway, desired.connectors, render);
    const connectors = mode === 'gateway' ? gatewayConnector(adapter, scope, desired.gateway) : desired.connectors;
    planConnectors({ ...base, desired: { ...desired, connectors }, written: writtenBy('connector') }, locations.connectors);
    if (mode === 'gateway' && locations.connectors.kind === 'supported') {
      for (const [name, connector] of Object.entries(desired.connectors)) {
        if (connector.enabled === false) continue;
        plan.items.push({ client: adapter.id, scope, kind: 'connector', name, status: 'via-gateway', path: locations.connectors.path, detail: `served through the ${GATEWAY_ENTRY_NAME} entry` });
      }
    }
    planSkills({ ...base, written: writtenBy('skill') }, locations.skills);
    planInstructions({ ...base, written: writtenBy('instructions') }, locations.instructions);
    planned.push({ adapter, plan });
  }
  return { input, planned };
}

/** Applies every client's edits with `codecs` (each must be there: a programmer error otherwise) and merges the clients' plans. */
function finishPlan({ input, planned: drafted }: DraftPlan, codecs: ConnectorCodecs): SyncPlan {
  const { scope, files } = input;
  const targets = new Set<ClientId>(input.clients.map((adapter) => adapter.id));
  const planned = drafted.map(({ adapter, plan }) => {
    // Each edit is pure and applied up to three times below (alone here, alone and replayed when merging):
    // parse and edit each input text once.
    const fileOps = plan.fileOps.map((op) => memoApply(op, codecs));
    // An edit the codec refuses (a layout it cannot edit safely) is found here, before any merging.
    for (const op of fileOps) {
      const result = op.apply(files.get(op.path));
      if (!result.ok) plan.problems.push({ client: adapter.id, path: op.path, ...result.problem });
    }
    return { adapter, plan, fileOps };
  });

  const healthy = planned.filter(({ plan }) => plan.problems.length === 0);
  const broken = new Set(planned.filter(({ plan }) => plan.problems.length > 0).map(({ adapter }) => adapter.id));

  // A broken client keeps its old journal entries: nothing of it changes this run.
  const journal = sortJournalEntries([
    ...input.journal.entries.filter((entry) => entry.scope !== scope || !targets.has(entry.client) || broken.has(entry.client)),
    ...healthy.flatMap(({ plan }) => plan.journal),
  ]);

  return {
    files: mergeFiles(healthy.flatMap(({ fileOps }) => fileOps), files),
    skills: mergeSkills(healthy.flatMap(({ plan }) => plan.skillOps)),
    items: healthy.flatMap(({ plan }) => plan.items),
    problems: planned.flatMap(({ plan }) => plan.problems),
    warnings: healthy.flatMap(({ plan }) => plan.warnings),
    journal: { entries: journal },
    journalUnchanged: sameJournalEntries(journal, input.journal.entries),
  };
}

/** An edit with its codecs given: `(text) => OpResult`. */
interface BoundFileOp extends Omit<FileOp, 'apply'> {
  readonly apply: (text: string | undefined) => OpResult;
}

/** Replays every client's edits of a file in client order onto its current text; one planned edit per changed file. */
function mergeFiles(fileOps: readonly BoundFileOp[], files: ReadonlyMap<string, string | undefined>): PlannedFile[] {
  const byPath = new Map<string, BoundFileOp[]>();
  for (const op of fileOps) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  const out: PlannedFile[] = [];
  for (const [path, ops] of byPath) {
    const before = files.get(path);
    let text = before;
    const clients: ClientId[] = [];
    for (const op of ops) {
      const alone = op.apply(before);
      if (alone.ok && alone.text !== before && !clients.includes(op.client)) clients.push(op.client);
      const result = op.apply(text);
      // Each op succeeded alone on `before`, and clients sharing a file render the same content, so replaying cannot fail.
      if (!result.ok) throw new Error(`planSync: edits of ${path} by several clients do not compose: ${result.problem.message}`);
      text = result.text;
    }
    const first = ops[0];
    if (text === before || first === undefined) continue;
    out.push({ path, format: first.format, clients, before, after: text });
  }
  return out.sort((left, right) => byteOrder(left.path, right.path));
}

/** One action per skill folder: the shared `.agents/skills` target is written once for all its clients. */
function mergeSkills(ops: readonly PlannedSkill[]): PlannedSkill[] {
  const byDir = new Map<string, PlannedSkill>();
  for (const op of ops) {
    const seen = byDir.get(op.dir);
    if (seen === undefined) {
      byDir.set(op.dir, op);
      continue;
    }
    // A write wins over a remove: a client that still wants the folder keeps it.
    const winner = seen.action === 'write' || op.action === 'remove' ? seen : op;
    byDir.set(op.dir, { ...winner, clients: [...new Set([...seen.clients, ...op.clients])] });
  }
  return [...byDir.values()].sort((left, right) => byteOrder(left.dir, right.dir));
}

/** The op bound to `codecs`, its `apply` remembering its last input and result (it is pure: same text, same result). */
function memoApply(op: FileOp, codecs: ConnectorCodecs): BoundFileOp {
  let last: { readonly text: string | undefined; readonly result: OpResult } | undefined;
  return {
    ...op,
    apply: (text) => {
      if (last === undefined || last.text !== text) last = { text, result: op.apply(text, codecs) };
      return last.result;
    },
  };
}

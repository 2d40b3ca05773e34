import { clientAdapters } from '@skillsync/clients';
import { pathFor, readTextIfExists, replaceManifestConnector, SkillsyncError, writeFileAtomic, type Env, type SkillsyncPaths } from '@skillsync/core';
import { openSecretStore } from '@skillsync/secrets';
import { adoptJournalEntries, DRIFT_STATUSES, emptyJournal, readClientInventory, type SyncItem } from '@skillsync/sync';
import { planImportWithSecrets } from '../../plan-import-with-secrets.js';
import type { AdoptRequest, DriftEntry, DriftReply } from './api-types.js';
import { runCommand } from './run-command.js';
import { readManifests } from '../../project.js';

/** Statuses of a connector entry whose client version Adopt can take: someone edited ours, or wrote their own under our name. */
const ADOPTABLE: readonly SyncItem['status'][] = ['modified', 'conflict'];

/** Every drifted item of both scopes, each with the diff `skillsync diff` shows for its file. */
export async function driftReport(env: Env): Promise<DriftReply> {
  const [status, diff] = await Promise.all([runCommand(env, 'status'), runCommand(env, 'diff')]);
  const items: DriftEntry[] = [];
  for (const scope of status.data.scopes) {
    for (const item of scope.items) {
      if (!DRIFT_STATUSES.includes(item.status)) continue;
      const file = diff.data.files.find((candidate) => candidate.scope === item.scope && candidate.path === item.path);
      const folder = diff.data.skills.find((candidate) => candidate.scope === item.scope && candidate.dir === item.path);
      const whyNot = whyNotAdoptable(item);
      items.push({
        ...item,
        diff: file?.diff ?? [],
        ...(folder === undefined ? {} : { folderAction: folder.action }),
        ...(whyNot === undefined ? { adoptable: true } : { adoptable: false, whyNot }),
      });
    }
  }
  return { items, problems: status.data.scopes.flatMap((scope) => scope.problems) };
}

export type AdoptOutcome =
  | { readonly adopted: true; readonly connector: string; readonly manifest: string; readonly secrets: readonly string[] }
  | { readonly adopted: false; readonly reason: string };

/**
 * Takes a client's version of a connector into the scope's manifest, the way `import`
 * adopts a server: a literal credential becomes a `${secret:NAME}` reference (its value
 * goes to the secret store), and the client's entry is recorded as skillsync's, so the
 * next sync spreads this version to the other clients instead of putting ours back.
 * Skills and instructions are not adopted: their source is a folder or file the
 * manifest names, which the reason points to. A manifest saved while this ran is
 * refused with MANIFEST_CHANGED, never overwritten.
 */
export async function adoptConnector(env: Env, paths: SkillsyncPaths, request: AdoptRequest): Promise<AdoptOutcome> {
  const adapter = clientAdapters.find((candidate) => candidate.id === request.client);
  if (adapter === undefined) throw new SkillsyncError('INVALID_INPUT', `${request.client} is not a known client.`, { details: { client: request.client } });
  const manifests = await readManifests(env);
  const loaded = manifests[request.scope];
  const current = loaded?.manifest?.manifest.connectors[request.name];
  if (loaded === undefined || current === undefined) {
    throw new SkillsyncError('CONNECTOR_NOT_FOUND', `The ${request.scope} manifest has no connector ${request.name} to adopt a version of.`, {
      details: { scope: request.scope, connector: request.name },
    });
  }
  const projectRoot = request.scope === 'project' ? pathFor(env).dirname(loaded.file) : undefined;
  const [inventory] = await readClientInventory({ env, scope: request.scope, ...(projectRoot === undefined ? {} : { projectRoot }), clients: [adapter], skills: 'parsed' });
  const found = inventory?.connectors.filter((entry) => entry.name === request.name) ?? [];
  if (inventory === undefined || found.length === 0) {
    return { adopted: false, reason: `${adapter.displayName} has no entry named ${request.name} any more: there is nothing to adopt. Repair puts the manifest's version back.` };
  }
  const secrets = await openSecretStore({ env });
  const others = Object.fromEntries(Object.entries(loaded.manifest?.manifest.connectors ?? {}).filter(([name]) => name !== request.name));
  const plan = await planImportWithSecrets(
    {
      scope: request.scope,
      inventories: [{ ...inventory, connectors: found, skills: [], instructions: undefined }],
      existing: { connectors: others, skills: [], instructions: [] },
      journal: emptyJournal,
    },
    secrets,
  );
  const imported = plan.connectors.find((connector) => connector.name === request.name);
  if (imported === undefined) {
    const note = plan.notes[0];
    return { adopted: false, reason: note === undefined ? `${adapter.displayName}'s ${request.name} cannot be adopted under that name.` : note.message };
  }
  for (const secret of plan.secrets) if (secret.isNew) await secrets.set(secret.name, secret.value);
  // The plan was made from the text read first; a save since then (the keychain may have
  // prompted for a while) must not be overwritten by an edit of the older text.
  if ((await readTextIfExists(loaded.file)) !== loaded.text) {
    throw new SkillsyncError('MANIFEST_CHANGED', `${loaded.file} changed while ${adapter.displayName}'s ${request.name} was being adopted; it was left as saved.`, {
      details: { manifest: loaded.file, connector: request.name },
    });
  }
  await writeFileAtomic(loaded.file, replaceManifestConnector(loaded.text, request.name, imported.connector, loaded.file));
  await adoptJournalEntries(paths.state, request.scope, projectRoot, plan.adopt);
  return { adopted: true, connector: request.name, manifest: loaded.file, secrets: imported.secrets };
}

/** Why Adopt cannot take the client's version of a drifted item, and what to do instead; undefined when it can. */
export function whyNotAdoptable(item: Pick<SyncItem, 'kind' | 'status' | 'refused'>): string | undefined {
  if (item.refused !== undefined) return `${item.refused}: it cannot be adopted. Repair removes it from the client.`;
  if (item.kind === 'skill') return 'A skill is written from the store: edit its source folder, bump its version and install it, then Repair.';
  if (item.kind === 'instructions') return "Instructions are written from the manifest: edit the text or file it names, then Repair.";
  if (ADOPTABLE.includes(item.status)) return undefined;
  return item.status === 'missing'
    ? 'The client has no such entry any more: there is nothing to adopt. Repair puts it back.'
    : 'The client still has what skillsync wrote; the manifest changed since. Repair brings it up to date.';
}

import { parseYamlText, pathFor, readTextIfExists, SkillsyncError, suggest, type Env, type SkillsyncPaths } from '@skillsync/core';
import type { ItemKind } from '@skillsync/sync';
import { z } from 'zod';
import type { DaemonSettings, DriftAction } from './contract.js';

export const DRIFT_ACTIONS = ['repair', 'notify', 'off'] as const satisfies readonly DriftAction[];

const ITEM_KINDS = ['connector', 'skill', 'instructions'] as const satisfies readonly ItemKind[];

/** Long enough for any save an editor makes in several writes; short enough that a repair still feels live. */
export const DEFAULT_SETTLE_MS = 300;

/**
 * Below this a client's last write can be missed: chokidar drops a path's change events
 * within 50 ms of the one before, so a settle time shorter than twice that may act on
 * the first of two writes and never see the second.
 */
const MIN_SETTLE_MS = 100;

/** Past a minute, "settle" is no longer a debounce but a different feature (a schedule). */
const MAX_SETTLE_MS = 60_000;

export const defaultDaemonSettings: DaemonSettings = {
  onDrift: { connector: 'repair', skill: 'repair', instructions: 'repair' },
  settleMs: DEFAULT_SETTLE_MS,
};

const driftAction = z.enum(DRIFT_ACTIONS, { error: 'expected repair, notify or off' });

const settingsSchema = z.strictObject({
  // One action for every kind, or one per kind (a kind left out keeps the default).
  onDrift: z.union([driftAction, z.strictObject(Object.fromEntries(ITEM_KINDS.map((kind) => [kind, driftAction.optional()])) as Record<ItemKind, z.ZodOptional<typeof driftAction>>)]).optional(),
  settleMs: z.number({ error: 'expected a number of milliseconds' }).int('expected a whole number of milliseconds').min(MIN_SETTLE_MS, `expected ${MIN_SETTLE_MS} or more`).max(MAX_SETTLE_MS, `expected at most ${MAX_SETTLE_MS}`).optional(),
});

/** `<config>/daemon.yaml`: beside the user manifest, where a person looks for skillsync's settings. */
export function daemonSettingsFile(env: Env, paths: SkillsyncPaths): string {
  return pathFor(env).join(paths.config, 'daemon.yaml');
}

/**
 * The settings `daemon.yaml` holds, over the defaults. Pure. A file that is empty (or
 * only comments) means the defaults; anything else wrong is DAEMON_SETTINGS_INVALID
 * naming the file, line and column.
 */
export function parseDaemonSettings(text: string, file: string): DaemonSettings {
  const parsed = parseYamlText(text);
  const invalid = (message: string, at: { readonly line: number; readonly column: number } | undefined, hint?: string): SkillsyncError =>
    new SkillsyncError('DAEMON_SETTINGS_INVALID', `${[file, at?.line, at?.column].filter((part) => part !== undefined).join(':')}: ${message}`, {
      ...(hint === undefined ? {} : { hint }),
      details: { file, ...(at === undefined ? {} : { line: at.line, column: at.column }) },
    });
  if (!parsed.ok) throw invalid(parsed.message, parsed.location);
  if (parsed.value === null || parsed.value === undefined) return defaultDaemonSettings;
  const result = settingsSchema.safeParse(parsed.value);
  if (!result.success) {
    const issue = firstIssue(result.error.issues, parsed.value);
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const known: readonly string[] = path.length === 0 ? Object.keys(settingsSchema.shape) : ITEM_KINDS;
      const guess = suggest(key, known);
      throw invalid(`unknown key \`${[...path, key].join('.')}\`${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, parsed.locate([...path, key]), `Known keys here: ${known.join(', ')}.`);
    }
    throw invalid(path.length === 0 ? `the file must be a mapping of settings (${issue.message})` : `\`${path.join('.')}\`: ${issue.message}`, parsed.locate(path));
  }
  const { onDrift, settleMs } = result.data;
  return {
    onDrift: typeof onDrift === 'string' ? { connector: onDrift, skill: onDrift, instructions: onDrift } : { ...defaultDaemonSettings.onDrift, ...definedEntries(onDrift ?? {}) },
    settleMs: settleMs ?? defaultDaemonSettings.settleMs,
  };
}

/** The command-line forms of the settings (`--on-drift`, `--settle`), which win over the file. */
export interface SettingsFlags {
  readonly onDrift: string | undefined;
  readonly settle: string | undefined;
}

/** `settings` with the flags applied; a bad flag is a USAGE error. Pure. */
export function applySettingsFlags(settings: DaemonSettings, flags: SettingsFlags): DaemonSettings {
  let { onDrift, settleMs } = settings;
  if (flags.onDrift !== undefined) {
    const action = DRIFT_ACTIONS.find((candidate) => candidate === flags.onDrift);
    if (action === undefined) {
      throw new SkillsyncError('USAGE', `--on-drift ${flags.onDrift}: not an action. Allowed: ${DRIFT_ACTIONS.join(', ')}.`, {
        hint: 'Pass --on-drift repair, notify or off; daemon.yaml can set one per kind.',
        details: { option: '--on-drift', value: flags.onDrift, allowed: DRIFT_ACTIONS },
      });
    }
    onDrift = { connector: action, skill: action, instructions: action };
  }
  if (flags.settle !== undefined) {
    const value = Number(flags.settle);
    if (!/^\d+$/.test(flags.settle) || value < MIN_SETTLE_MS || value > MAX_SETTLE_MS) {
      throw new SkillsyncError('USAGE', `--settle ${flags.settle}: not a whole number of milliseconds from ${MIN_SETTLE_MS} to ${MAX_SETTLE_MS}.`, {
        hint: `Pass --settle 300, say (the default is ${DEFAULT_SETTLE_MS}).`,
        details: { option: '--settle', value: flags.settle },
      });
    }
    settleMs = value;
  }
  return { onDrift, settleMs };
}

/** The daemon's settings: daemon.yaml (when there is one) over the defaults, the flags over both. */
export async function loadDaemonSettings(env: Env, paths: SkillsyncPaths, flags: SettingsFlags): Promise<DaemonSettings> {
  const file = daemonSettingsFile(env, paths);
  const text = await readTextIfExists(file);
  return applySettingsFlags(text === undefined ? defaultDaemonSettings : parseDaemonSettings(text, file), flags);
}

/**
 * A union's issue says only "no branch matched": report the branch the value was
 * meant for (a string is an action; a mapping is per kind).
 */
function firstIssue(issues: readonly z.core.$ZodIssue[], value: unknown): z.core.$ZodIssue {
  const issue = issues[0] as z.core.$ZodIssue;
  if (issue.code !== 'invalid_union') return issue;
  const raw = issue.path.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined), value);
  const branch = issue.errors[typeof raw === 'string' ? 0 : 1] ?? [];
  const inner = branch[0];
  return inner === undefined ? issue : { ...inner, path: [...issue.path, ...inner.path] };
}

function definedEntries<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

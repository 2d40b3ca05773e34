import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { knownKeysAt } from '../text/schema-keys.js';
import { suggest } from '../text/suggest.js';
import { createFinding, type SkillFinding } from './skill-finding.js';
import { locateYamlPath, toLocation } from './yaml-location.js';

/** The sidecar file name, next to SKILL.md. */
export const SKILL_SIDECAR_FILE = 'skillsync.skill.yaml';
export const DEFAULT_EVALS_PATH = 'evals/evals.json';
export const SKILL_SIDECAR_SCHEMA_ID = 'https://skillsync.dev/schemas/skill-sidecar.schema.json';

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const relativePath = z
  .string()
  .min(1)
  .refine((value) => !value.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(value) && !value.split(/[\\/]/).includes('..'), {
    message: 'must be a path relative to the skill folder, without `..`',
  });

const inputsSchema = z
  .looseObject({
    type: z.literal('object').optional().describe('Inputs are always an object of named parameters.'),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())).optional().describe('One JSON Schema per input.'),
    required: z.array(z.string()).optional().describe('The inputs that must be given.'),
  })
  .describe('A JSON Schema (draft 2020-12) describing the inputs the skill expects, as an object schema.');

const connectorRequirement = z
  .strictObject({
    tools: z.array(z.string().min(1)).optional().describe('The tools of the connector the skill calls; omitted means any.'),
    description: z.string().optional().describe('Why the skill needs this connector, shown to the user.'),
  })
  .describe('A connector (MCP server) the skill needs.');

const requiresSchema = z
  .strictObject({
    skills: z
      .record(
        z.string().regex(skillNamePattern, 'must be a skill name (lowercase letters, digits, single hyphens)'),
        z.string().refine((range) => semver.validRange(range) !== null, { message: 'must be a semver range such as ^1.2.0' }),
      )
      .optional()
      .describe('Skills this skill builds on: skill name to semver range.'),
    connectors: z.record(z.string().min(1), connectorRequirement).optional().describe('Connectors this skill calls, by connector name.'),
  })
  .describe('What must be installed for the skill to work.');

const permissionsSchema = z
  .strictObject({
    network: z
      .array(z.string().regex(/^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/, 'must be a host name such as api.github.com or *.example.com'))
      .optional()
      .describe('Hosts the skill may reach; an empty list means no network.'),
    filesystem: z.enum(['none', 'read', 'write']).optional().describe('How much of the file system the skill may touch.'),
    shell: z.boolean().optional().describe('Whether the skill runs shell commands.'),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a secret name such as GITHUB_TOKEN'))
      .optional()
      .describe('Names of the secrets the skill needs (names only, never values).'),
  })
  .describe('What the skill needs to be allowed to do; the runtime policy checks calls against it.');

/**
 * skillsync's structured extension to a skill. It lives in its own file so SKILL.md
 * stays a plain Agent Skill that every other tool accepts.
 */
export const skillSidecarSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this file follows, for editor support.'),
    inputs: inputsSchema.optional(),
    requires: requiresSchema.optional(),
    permissions: permissionsSchema.optional(),
    tests: relativePath.default(DEFAULT_EVALS_PATH).describe('Path of the eval cases, relative to the skill folder.'),
  })
  .describe(`skillsync's extension to an Agent Skill, in ${SKILL_SIDECAR_FILE} next to SKILL.md.`);

export type SkillSidecar = z.output<typeof skillSidecarSchema>;
export type SkillSidecarInput = z.input<typeof skillSidecarSchema>;

/** The sidecar's JSON Schema, for editors and for `schemas/`. */
export function skillSidecarJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(skillSidecarSchema, { io: 'input', target: 'draft-2020-12' });
  return { $id: SKILL_SIDECAR_SCHEMA_ID, title: 'skillsync skill sidecar', ...schema };
}

export interface SkillSidecarResult {
  /** Present when the file is valid; defaults (such as `tests`) are filled in. */
  sidecar: SkillSidecar | undefined;
  findings: SkillFinding[];
}

/** Parses and checks a sidecar file. Pure and total: problems are findings, never exceptions. */
export function parseSkillSidecar(text: string, options: { file?: string } = {}): SkillSidecarResult {
  const file = options.file ?? SKILL_SIDECAR_FILE;
  const lineCounter = new LineCounter();
  const document = parseDocument(text.startsWith('\uFEFF') ? text.slice(1) : text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const invalid = (message: string, extra: { line?: number; column?: number; field?: string; hint?: string } = {}): SkillFinding =>
    createFinding({
      code: 'SKILL_SIDECAR_INVALID',
      severity: 'error',
      message,
      file,
      location: extra.line === undefined ? undefined : { line: extra.line, column: extra.column ?? 1 },
      field: extra.field,
      hint: extra.hint,
    });

  if (document.errors.length > 0) {
    return {
      sidecar: undefined,
      findings: document.errors.map((error) => {
        const at = toLocation(lineCounter, error.pos[0]);
        return invalid(`Invalid YAML: ${error.message.split('\n')[0] ?? ''}`, at);
      }),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    return { sidecar: undefined, findings: [invalid(`Invalid YAML: ${error instanceof Error ? error.message : String(error)}`)] };
  }

  const parsed = skillSidecarSchema.safeParse(value);
  if (parsed.success) return { sidecar: parsed.data, findings: [] };

  const findings: SkillFinding[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(skillSidecarSchema, path);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const guess = suggest(key, known);
        const where = path.length === 0 ? 'at the top level' : `in \`${path.join('.')}\``;
        findings.push(
          invalid(`Unknown key \`${key}\` ${where}${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, {
            ...locateYamlPath(document, lineCounter, keyPath),
            field: keyPath.join('.'),
            hint: known.length > 0 ? `Known keys here: ${known.join(', ')}.` : undefined,
          }),
        );
      }
      continue;
    }
    const field = path.join('.');
    // A bad record key carries the real reason one level down.
    const message = issue.code === 'invalid_key' ? `invalid key: ${issue.issues[0]?.message ?? issue.message}` : issue.message;
    findings.push(
      invalid(`${field === '' ? 'The sidecar' : `\`${field}\``}: ${message}`, {
        ...locateYamlPath(document, lineCounter, path),
        field: field === '' ? undefined : field,
      }),
    );
  }
  return { sidecar: undefined, findings };
}


import { stringify } from 'yaml';
import { SkillsyncError } from '../errors/index.js';
import { SKILL_DESCRIPTION_MAX_LENGTH, SKILL_NAME_MAX_LENGTH } from './skill-info.js';
import { DEFAULT_EVALS_PATH, SKILL_SIDECAR_FILE, SKILL_SIDECAR_SCHEMA_ID } from './skill-sidecar.js';
import { codePointLength, isSemver } from './validate-skill-md.js';

export interface ScaffoldSkillOptions {
  name: string;
  description?: string;
  /** Defaults to 0.1.0. */
  version?: string;
}

/** True when `name` satisfies every rule of the Agent Skills specification for `name`. */
export function isValidSkillName(name: string): boolean {
  return name.length <= SKILL_NAME_MAX_LENGTH && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name);
}

/**
 * The files of a new skill, by path relative to its folder: a SKILL.md that passes
 * strict validation, an example sidecar and one eval case. Pure: writing them is the
 * caller's job. Throws SkillsyncError when the name, description or version could
 * never pass validation.
 */
export function scaffoldSkill(options: ScaffoldSkillOptions): Record<string, string> {
  const { name } = options;
  if (!isValidSkillName(name)) {
    throw new SkillsyncError('SKILL_NAME_INVALID', `"${name}" is not a valid skill name.`, { details: { name } });
  }
  const title = name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
  const description = options.description ?? `Explain what ${title} does and when the agent should use it. Use when the user asks to ...`;
  if (description.trim() === '' || codePointLength(description) > SKILL_DESCRIPTION_MAX_LENGTH || /[<>]/.test(description)) {
    throw new SkillsyncError('SKILL_DESCRIPTION_INVALID', `The description must be 1 to ${SKILL_DESCRIPTION_MAX_LENGTH} characters without \`<\` or \`>\`.`);
  }
  const version = options.version ?? '0.1.0';
  if (!isSemver(version)) {
    throw new SkillsyncError('SKILL_VERSION_INVALID', `"${version}" is not a semantic version.`, { details: { version } });
  }

  const skillMd = [
    '---',
    `name: ${name}`,
    `description: ${stringify(description, { lineWidth: 0 }).trimEnd()}`,
    'metadata:',
    `  version: "${version}"`,
    '---',
    '',
    `# ${title}`,
    '',
    '## When to use this skill',
    '',
    '- Describe the requests or situations where the agent should reach for this skill.',
    '',
    '## Instructions',
    '',
    '1. Write the steps the agent should follow, in order.',
    '2. Say what to check before finishing.',
    '',
    '## Examples',
    '',
    '- Input: a typical request.',
    '- Output: what a good result looks like.',
    '',
    '## References',
    '',
    '- Put longer material in `references/` and link it from here; the agent reads it only when needed.',
    '',
  ].join('\n');

  const sidecar = [
    `# skillsync's extension to this skill. SKILL.md stays a plain Agent Skill that every`,
    '# tool accepts; the structured facts skillsync uses live here. Delete what you do not need.',
    `$schema: ${SKILL_SIDECAR_SCHEMA_ID}`,
    '',
    '# The inputs the skill expects, as a JSON Schema.',
    'inputs:',
    '  type: object',
    '  properties: {}',
    '',
    '# Other skills (name: semver range) and connectors (MCP servers) this skill needs.',
    'requires:',
    '  skills: {}',
    '  connectors: {}',
    '  # connectors:',
    '  #   github:',
    '  #     tools: [create_issue]',
    '  #     description: Files the issues the skill drafts.',
    '',
    '# What the skill may do; the runtime checks its calls against this.',
    'permissions:',
    '  network: []',
    '  filesystem: read',
    '  shell: false',
    '  secrets: []',
    '',
    `tests: ${DEFAULT_EVALS_PATH}`,
    '',
  ].join('\n');

  const evals = {
    skill_name: name,
    evals: [
      {
        id: 1,
        prompt: 'A realistic request a user would make that this skill should handle.',
        expected_output: 'What a good answer contains.',
        files: [],
        assertions: ['The output follows the steps in SKILL.md.'],
      },
    ],
  };

  return {
    'SKILL.md': skillMd,
    [SKILL_SIDECAR_FILE]: sidecar,
    [DEFAULT_EVALS_PATH]: `${JSON.stringify(evals, null, 2)}\n`,
  };
}

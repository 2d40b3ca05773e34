import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { createFinding, type SkillFinding, type SourceLocation } from './skill-finding.js';
import { locateYamlPath } from './yaml-location.js';

const assertion = z.union([z.string().min(1), z.looseObject({ text: z.string().min(1) })]);

const evalCaseSchema = z.looseObject({
  id: z.union([z.number().int(), z.string().min(1)]),
  prompt: z.string().min(1),
  expected_output: z.string().optional(),
  files: z.array(z.string().min(1)).optional(),
  assertions: z.array(assertion).optional(),
  /** skill-creator's name for assertions; both are read. */
  expectations: z.array(assertion).optional(),
});

/**
 * The eval cases of a skill, in the convention of the Agent Skills docs and
 * skill-creator: `evals/evals.json` with `{ skill_name, evals: [...] }`. Unknown keys
 * are kept, since runners add their own.
 */
export const skillEvalsSchema = z.looseObject({
  skill_name: z.string().min(1),
  evals: z.array(evalCaseSchema),
});

export type SkillEvals = z.output<typeof skillEvalsSchema>;
export type SkillEvalCase = z.output<typeof evalCaseSchema>;

export interface SkillEvalsResult {
  evals: SkillEvals | undefined;
  findings: SkillFinding[];
}

export interface ParseSkillEvalsOptions {
  file?: string;
  /** When given, `skill_name` must equal it. */
  skillName?: string | undefined;
}

/** Parses and checks an evals file. Pure and total: problems are findings, never exceptions. */
export function parseSkillEvals(text: string, options: ParseSkillEvalsOptions = {}): SkillEvalsResult {
  const file = options.file ?? 'evals/evals.json';
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const invalid = (message: string, location?: SourceLocation, field?: string): SkillFinding =>
    createFinding({ code: 'SKILL_EVALS_INVALID', severity: 'error', message, file, location, field });

  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    return { evals: undefined, findings: [invalid(`Invalid JSON: ${message}`, position === undefined ? undefined : offsetToLocation(source, Number(position)))] };
  }

  const parsed = skillEvalsSchema.safeParse(value);
  // JSON is YAML, so the YAML parser gives us positions for findings that JSON.parse cannot.
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  const locate = (path: readonly (string | number)[]): SourceLocation | undefined => locateYamlPath(document, lineCounter, path);

  if (!parsed.success) {
    return {
      evals: undefined,
      findings: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
        const field = path.join('.');
        return invalid(`${field === '' ? 'The evals file' : `\`${field}\``}: ${issue.message}`, locate(path), field === '' ? undefined : field);
      }),
    };
  }

  const evals = parsed.data;
  const findings: SkillFinding[] = [];
  if (options.skillName !== undefined && evals.skill_name !== options.skillName) {
    findings.push(invalid(`\`skill_name\` is "${evals.skill_name}" but the skill is named "${options.skillName}".`, locate(['skill_name']), 'skill_name'));
  }
  const seen = new Set<string>();
  evals.evals.forEach((evalCase, index) => {
    const id = String(evalCase.id);
    if (seen.has(id)) findings.push(invalid(`Eval id ${id} is used more than once.`, locate(['evals', index, 'id']), `evals.${index}.id`));
    seen.add(id);
  });
  return { evals, findings };
}

function offsetToLocation(text: string, offset: number): SourceLocation {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

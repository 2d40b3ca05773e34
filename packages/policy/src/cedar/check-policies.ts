import { errorCatalogue } from '@skillsync/core';
import { policySetTextToParts, policyToJson, validate, type DetailedError, type PolicyJson } from './cedar-wasm.js';
import { GATEWAY_CEDAR_SCHEMA, type CedarSchema } from './schema.js';
import { textPositions, type TextPositions } from './source-position.js';

/** One file of Cedar policies. */
export interface PolicyFile {
  /**
   * Names the file in policy ids: its policies are `<id>#0`, `<id>#1`, … in the order
   * they appear (unless a policy has an `@id("…")` annotation). Must be unique among the
   * files of an engine and hold no `#`.
   */
  readonly id: string;
  readonly text: string;
  /** The path shown in findings; defaults to `id`. */
  readonly file?: string;
}

export type PolicyFindingCode = 'POLICY_INVALID' | 'POLICY_WARNING';

/** A problem in a policy file: a value (the CLI renders it), or the message of a POLICY_INVALID error. */
export interface PolicyFinding {
  readonly code: PolicyFindingCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  /** 1-based, when Cedar says where. */
  readonly line?: number;
  readonly column?: number;
  readonly policyId?: string;
  readonly hint: string;
}

/** One policy, parsed and validated. */
export interface CompiledPolicy {
  /** `<fileId>#<index>`, or its `@id("…")` annotation. */
  readonly id: string;
  readonly fileId: string;
  /** 0-based position in its file. */
  readonly index: number;
  readonly text: string;
  readonly json: PolicyJson;
  readonly file: string;
  readonly line: number;
}

export interface PolicyCheckResult {
  /** No error findings (warnings allowed). */
  readonly ok: boolean;
  /** The policies that parsed, in file order then text order. */
  readonly policies: readonly CompiledPolicy[];
  readonly findings: readonly PolicyFinding[];
}

/** Policy files are configuration, not data: anything bigger is refused before Cedar parses it. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/**
 * Parses every file and validates it against a schema (the gateway's unless given;
 * Cedar's strict validator). Pure and total: every problem is a finding with the file,
 * line and column Cedar gives and the policy id; nothing throws for bad input.
 */
export function checkPolicies(files: readonly PolicyFile[], schema: CedarSchema = GATEWAY_CEDAR_SCHEMA): PolicyCheckResult {
  const findings: PolicyFinding[] = [];
  const policies: CompiledPolicy[] = [];
  const fileIds = new Set<string>();
  const policyIds = new Map<string, CompiledPolicy>();

  for (const input of files) {
    const file = input.file ?? input.id;
    const error = (message: string, place: { line?: number; column?: number; policyId?: string } = {}): void => {
      findings.push(finding('POLICY_INVALID', file, message, place));
    };
    if (input.id === '' || input.id.includes('#')) {
      error(`The policy file id "${input.id}" must be non-empty and hold no "#" (policy ids are <file id>#<index>).`);
      continue;
    }
    if (fileIds.has(input.id)) {
      error(`Two policy files have the id "${input.id}"; policy ids would clash. Rename one of the files.`);
      continue;
    }
    fileIds.add(input.id);
    if (Buffer.byteLength(input.text, 'utf8') > MAX_POLICY_FILE_BYTES) {
      error(`The policy file is larger than ${MAX_POLICY_FILE_BYTES} bytes; it was not parsed.`);
      continue;
    }
    const text = input.text.startsWith('\uFEFF') ? input.text.slice(1) : input.text;
    const positions = textPositions(text);

    const parts = policySetTextToParts(text);
    if (parts.type === 'failure') {
      for (const cedarError of parts.errors) error(describe(cedarError), locate(cedarError, positions));
      continue;
    }
    for (const template of parts.policy_templates) {
      const index = text.indexOf(template);
      error(
        'Policy templates (?principal / ?resource slots) are not supported; write the entity in the policy.',
        index === -1 ? {} : positions.at(positions.byteOffsetOf(index)),
      );
    }
    if (parts.policy_templates.length > 0) continue;

    const ordered = inTextOrder(parts.policies, text);
    const local: CompiledPolicy[] = [];
    for (const [index, { text: policyText, start }] of ordered.entries()) {
      const where = positions.at(positions.byteOffsetOf(start));
      const json = policyToJson(policyText);
      if (json.type === 'failure') {
        for (const cedarError of json.errors) error(describe(cedarError), where);
        continue;
      }
      const annotated = json.json.annotations?.id;
      const id = annotated ?? `${input.id}#${index}`;
      if (annotated !== undefined && (annotated === '' || /^[^#]*#\d+$/.test(annotated))) {
        error(`@id("${annotated}") is not a usable policy id: give a non-empty name that does not look like <file>#<index>.`, { ...where, policyId: annotated });
        continue;
      }
      const clash = policyIds.get(id);
      if (clash !== undefined) {
        error(`The policy id "${id}" is used twice (also at ${clash.file}:${clash.line}); ids must be unique.`, { ...where, policyId: id });
        continue;
      }
      const policy: CompiledPolicy = { id, fileId: input.id, index, text: policyText, json: json.json, file, line: where.line };
      policyIds.set(id, policy);
      local.push(policy);
    }

    // The validator names policies policy0, policy1, … in text order; offsets are into the file.
    const idOf = (cedarId: string): string | undefined => {
      const match = /^policy(\d+)$/.exec(cedarId);
      return match === null ? undefined : local.find((policy) => policy.index === Number(match[1]))?.id;
    };
    const validation = validate({ schema: schema.text, policies: { staticPolicies: text } });
    if (validation.type === 'failure') {
      for (const cedarError of validation.errors) error(describe(cedarError), locate(cedarError, positions));
      continue;
    }
    const report = (code: PolicyFindingCode, cedarId: string, cedarError: DetailedError): void => {
      const policyId = idOf(cedarId);
      const message = describe(cedarError).replaceAll(`\`${cedarId}\``, `\`${policyId ?? cedarId}\``);
      findings.push(finding(code, file, message, { ...locate(cedarError, positions), ...(policyId === undefined ? {} : { policyId }) }));
    };
    for (const { policyId, error: cedarError } of validation.validationErrors) report('POLICY_INVALID', policyId, cedarError);
    for (const { policyId, error: cedarError } of validation.validationWarnings) report('POLICY_WARNING', policyId, cedarError);
    for (const cedarError of validation.otherWarnings) findings.push(finding('POLICY_WARNING', file, describe(cedarError), locate(cedarError, positions)));
    policies.push(...local);
  }
  return { ok: findings.every((item) => item.severity !== 'error'), policies, findings };
}

function finding(code: PolicyFindingCode, file: string, message: string, place: { line?: number; column?: number; policyId?: string }): PolicyFinding {
  return {
    code,
    severity: code === 'POLICY_INVALID' ? 'error' : 'warning',
    message,
    file,
    ...(place.line === undefined ? {} : { line: place.line }),
    ...(place.column === undefined ? {} : { column: place.column }),
    ...(place.policyId === undefined ? {} : { policyId: place.policyId }),
    hint: errorCatalogue[code].hint,
  };
}

/** Cedar's message with the label of its first location and its help, on one line. */
function describe(error: DetailedError): string {
  const label = error.sourceLocations?.[0]?.label;
  const related = (error.related ?? []).map((item) => item.message).filter((text) => text !== error.message);
  return [error.message, label, ...related].filter((part): part is string => typeof part === 'string' && part !== '').join(': ') + (error.help === null || error.help === '' ? '' : ` (${error.help})`);
}

function locate(error: DetailedError, positions: TextPositions): { line?: number; column?: number } {
  const start = error.sourceLocations?.[0]?.start;
  return start === undefined ? {} : positions.at(start);
}

/**
 * `policySetTextToParts` returns the policies sorted by their parser ids (policy0,
 * policy1, policy10, policy11, policy2, …), not in text order. Undo that sort, then find
 * each policy's place in the text (parts are verbatim slices of it).
 */
function inTextOrder(parts: readonly string[], text: string): { text: string; start: number }[] {
  const sortedIds = parts.map((_, index) => `policy${index}`).sort();
  const byIndex: string[] = new Array<string>(parts.length);
  sortedIds.forEach((id, position) => {
    byIndex[Number(id.slice('policy'.length))] = parts[position] ?? '';
  });
  const placed: { text: string; start: number }[] = [];
  let cursor = 0;
  for (const part of byIndex) {
    const start = text.indexOf(part, cursor);
    if (start === -1) {
      // Not verbatim after all: fall back to ordering by first occurrence.
      return parts.map((item) => ({ text: item, start: Math.max(0, text.indexOf(item)) })).sort((a, b) => a.start - b.start);
    }
    placed.push({ text: part, start });
    cursor = start + part.length;
  }
  return placed;
}

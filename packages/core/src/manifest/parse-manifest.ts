import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { ErrorCode } from '../errors/codes.js';
import { redactSecrets } from '../errors/redact.js';
import { knownKeysAt } from '../text/schema-keys.js';
import { suggest } from '../text/suggest.js';
import { createFinding, type SkillFinding } from '../skill/skill-finding.js';
import { locateYamlPath, toLocation } from '../skill/yaml-location.js';
import { findMalformedReferences, findSecretLiterals } from './find-secret-literals.js';
import { MANIFEST_FILE, MANIFEST_VERSION } from './manifest-names.js';
import { manifestSchema, type Manifest } from './manifest-schema.js';

/**
 * One problem in a manifest, with the file, line and column it points at. The same
 * shape as a skill finding, so the CLI renders both alike.
 */
export type ManifestFinding = SkillFinding;

export interface ManifestParseResult {
  /** Present only when there is no error finding. */
  manifest: Manifest | undefined;
  findings: ManifestFinding[];
}

export interface ParseManifestOptions {
  /** The path named in findings; defaults to `skillsync.yaml`. */
  file?: string;
}

/** Manifests are small; a bigger file is a mistake, and the YAML parser is not free. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Parses `skillsync.yaml` text. Pure and total: every problem is a finding with a code,
 * a position and a hint, never an exception. Checks, in one pass: YAML syntax
 * (MANIFEST_INVALID_YAML), `version` (MANIFEST_UNSUPPORTED_VERSION), unknown keys with a
 * "did you mean" (MANIFEST_UNKNOWN_KEY), field shapes (MANIFEST_INVALID), skill sources
 * (SOURCE_INVALID) and credentials written out in connectors (MANIFEST_SECRET_LITERAL,
 * whose message never holds the value).
 */
export function parseManifest(text: string, options: ParseManifestOptions = {}): ManifestParseResult {
  const file = options.file ?? MANIFEST_FILE;
  const finding = (code: ErrorCode, message: string, at: { line?: number; column?: number; field?: string; hint?: string } = {}): ManifestFinding =>
    createFinding({
      code,
      severity: 'error',
      message: redactSecrets(message),
      file,
      location: at.line === undefined ? undefined : { line: at.line, column: at.column ?? 1 },
      field: at.field,
      hint: at.hint,
    });

  if (text.length > MAX_MANIFEST_BYTES) {
    return { manifest: undefined, findings: [finding('MANIFEST_INVALID', `The manifest is over ${MAX_MANIFEST_BYTES} bytes.`)] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text.startsWith('\uFEFF') ? text.slice(1) : text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      manifest: undefined,
      findings: document.errors.map((error) =>
        finding('MANIFEST_INVALID_YAML', `Invalid YAML: ${error.message.split('\n')[0] ?? ''}`, toLocation(lineCounter, error.pos[0])),
      ),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    return { manifest: undefined, findings: [finding('MANIFEST_INVALID_YAML', `Invalid YAML: ${error instanceof Error ? error.message : String(error)}`)] };
  }
  const at = (path: readonly (string | number)[]): { line?: number; column?: number; field?: string } => ({
    ...locateYamlPath(document, lineCounter, path),
    ...(path.length === 0 ? {} : { field: path.join('.') }),
  });

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { manifest: undefined, findings: [finding('MANIFEST_INVALID', 'The manifest must be a YAML mapping of `key: value` pairs.', at([]))] };
  }
  const version = (value as Record<string, unknown>).version;
  if (version === undefined) {
    return {
      manifest: undefined,
      findings: [finding('MANIFEST_INVALID', 'The manifest needs `version: 1` at the top level.', { ...at([]), field: 'version', hint: 'Add `version: 1` as the first line.' })],
    };
  }
  if (version !== MANIFEST_VERSION) {
    return {
      manifest: undefined,
      findings: [finding('MANIFEST_UNSUPPORTED_VERSION', `Manifest version ${JSON.stringify(version)} is not supported; this skillsync reads version ${MANIFEST_VERSION}.`, at(['version']))],
    };
  }

  const findings: ManifestFinding[] = [];
  const rawAt = (path: readonly (string | number)[]): unknown =>
    path.reduce<unknown>((node, segment) => (typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[segment] : undefined), value);
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) findings.push(...issueFindings(issue, document, { finding, at, rawAt }));
  }
  // Secrets are checked on the raw value too, so a manifest with other errors still
  // reports every written-out credential in the same pass.
  findings.push(...secretFindings(value as Record<string, unknown>, { finding, at, rawAt }));
  const errors = findings.filter((item) => item.severity === 'error');
  return { manifest: parsed.success && errors.length === 0 ? parsed.data : undefined, findings: sortFindings(findings) };
}

interface FindingTools {
  finding: (code: ErrorCode, message: string, at?: { line?: number; column?: number; field?: string; hint?: string }) => ManifestFinding;
  at: (path: readonly (string | number)[]) => { line?: number; column?: number; field?: string };
  /** The raw parsed value at `path`: zod 4 does not keep rejected input on its issues. */
  rawAt: (path: readonly (string | number)[]) => unknown;
}

function issueFindings(issue: z.core.$ZodIssue, _document: Document, tools: FindingTools): ManifestFinding[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  const where = path.length === 0 ? 'at the top level' : `in \`${path.join('.')}\``;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(manifestSchema, path);
    return issue.keys.map((key) => {
      const guess = suggest(key, known);
      return tools.finding('MANIFEST_UNKNOWN_KEY', `Unknown key \`${key}\` ${where}${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, {
        ...tools.at([...path, key]),
        hint: guess === undefined ? `Known keys here: ${known.join(', ')}.` : `Rename it to \`${guess}\`, or remove it.`,
      });
    });
  }
  if (issue.code === 'invalid_union') {
    // A skill source that is neither a string nor a valid object: report the object's problems.
    const objectIssues = issue.errors.find((branch) => branch.some((inner) => inner.code !== 'invalid_type')) ?? [];
    if (objectIssues.length > 0) return objectIssues.flatMap((inner) => issueFindings({ ...inner, path: [...path, ...inner.path] }, _document, tools));
  }
  const field = path.join('.');
  if (path[0] === 'clients' && issue.code === 'invalid_value') {
    const bad = tools.rawAt(path);
    const guess = typeof bad === 'string' ? suggest(bad, issue.values.map(String)) : undefined;
    return [
      tools.finding('MANIFEST_INVALID', `\`${field}\`: unknown client${typeof bad === 'string' ? ` \`${bad}\`` : ''}${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, {
        ...tools.at(path),
        hint: `Known clients: ${issue.values.map(String).join(', ')}.`,
      }),
    ];
  }
  const params = issue.code === 'custom' ? (issue.params as { manifestCode?: ErrorCode } | undefined) : undefined;
  const code: ErrorCode = params?.manifestCode ?? 'MANIFEST_INVALID';
  const message = issue.code === 'invalid_key' ? `invalid key: ${issue.issues[0]?.message ?? issue.message}` : issue.message;
  return [tools.finding(code, `${field === '' ? 'The manifest' : `\`${field}\``}: ${message}`, tools.at(path))];
}

function secretFindings(value: Record<string, unknown>, tools: FindingTools): ManifestFinding[] {
  const connectors = value.connectors;
  if (typeof connectors !== 'object' || connectors === null || Array.isArray(connectors)) return [];
  const findings: ManifestFinding[] = [];
  for (const [name, raw] of Object.entries(connectors as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) continue;
    const connector = sanitizeConnector(raw as Record<string, unknown>);
    for (const literal of findSecretLiterals(connector)) {
      const path = ['connectors', name, ...literal.path];
      findings.push(tools.finding('MANIFEST_SECRET_LITERAL', `Connector \`${name}\`: \`${literal.path.join('.')}\` holds a literal credential (${literal.reason}).`, tools.at(path)));
    }
    const templated: [readonly (string | number)[], string][] = [
      ...Object.entries(connector.env ?? {}).map(([key, text]): [readonly (string | number)[], string] => [['env', key], text]),
      ...Object.entries(connector.headers ?? {}).map(([key, text]): [readonly (string | number)[], string] => [['headers', key], text]),
      ...(connector.url === undefined ? [] : [[['url'], connector.url] as [readonly (string | number)[], string]]),
    ];
    for (const [fieldPath, text] of templated) {
      if (findMalformedReferences(text).length > 0) {
        findings.push(
          tools.finding('MANIFEST_INVALID', `Connector \`${name}\`: \`${fieldPath.join('.')}\` has a reference that is neither \${secret:NAME} nor \${env:NAME}.`, {
            ...tools.at(['connectors', name, ...fieldPath]),
            hint: 'Write secrets as ${secret:NAME} (from the keychain) or ${env:NAME} (from the environment).',
          }),
        );
      }
    }
  }
  return findings;
}

/** Keeps only the well-typed parts of a connector, so the secret scan runs even on an invalid one. */
function sanitizeConnector(raw: Record<string, unknown>): Parameters<typeof findSecretLiterals>[0] {
  const strings = (input: unknown): Record<string, string> | undefined =>
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? Object.fromEntries(Object.entries(input).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
      : undefined;
  const env = strings(raw.env);
  const headers = strings(raw.headers);
  const args = Array.isArray(raw.args) ? raw.args.map((arg) => (typeof arg === 'string' ? arg : '')) : undefined;
  return {
    ...(env === undefined ? {} : { env }),
    ...(headers === undefined ? {} : { headers }),
    ...(args === undefined ? {} : { args }),
    ...(typeof raw.url === 'string' ? { url: raw.url } : {}),
  };
}

function sortFindings(findings: ManifestFinding[]): ManifestFinding[] {
  return findings
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.line ?? 0) - (b.item.line ?? 0) || (a.item.column ?? 0) - (b.item.column ?? 0) || a.index - b.index)
    .map(({ item }) => item);
}


import { z } from 'zod';
import { KNOWN_CLIENT_IDS } from '../clients/client-ids.js';
import { REDACTION_DETECTOR_NAMES } from '../errors/redact.js';
import { parseSkillSpecifier, checkRegistryUrl } from './parse-skill-specifier.js';

import { GATEWAY_ENTRY_NAME, MANIFEST_SCHEMA_ID, MANIFEST_VERSION } from './manifest-names.js';

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const connectorNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const skillSpecifierObject = z
  .strictObject({
    version: z.string().optional().describe('A semver range (or `latest`) resolved from `registry` or the default registry.'),
    registry: z.string().optional().describe('The registry to resolve `version` from: file:///dir, file:./dir or https://….'),
    path: z.string().optional().describe('A skill folder: ./x, ../x, /abs or ~/x (relative to this file).'),
    tarball: z.string().optional().describe('A package file (.tgz), relative to this file or absolute.'),
  })
  .describe('A skill source, spelled out: exactly one of `version` (with optional `registry`), `path` or `tarball`.');

const skillSpecifier = z
  .union([
    z.string().describe('A semver range (^1.2.0, 1.x, *, latest), a path (./skills/x), a tarball (x.tgz) or file:…/https://… registry with an optional #range.'),
    skillSpecifierObject,
  ])
  .superRefine((value, context) => {
    const parsed = parseSkillSpecifier(value);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: `skill source ${parsed.reason}`, params: { manifestCode: 'SOURCE_INVALID' } });
  });

const registryUrl = z
  .string()
  .superRefine((value, context) => {
    const problem = checkRegistryUrl(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  })
  .describe('The default registry for skills given as a version range: file:///dir, file:./dir (relative to this file) or https://….');

const stringMap = z.record(z.string().min(1), z.string());

const connectorSchema = z
  .strictObject({
    description: z.string().optional().describe('What the connector is for, shown to the user.'),
    enabled: z.boolean().optional().describe('Set false to keep the definition without rendering it into clients.'),
    tools: z.array(z.string().min(1)).optional().describe('Allow-list of tool names; omitted means every tool the server offers.'),
    command: z.string().min(1).optional().describe('stdio: the program to start.'),
    args: z.array(z.string()).optional().describe('stdio: its arguments.'),
    env: stringMap.optional().describe('stdio: environment variables; secrets only as ${secret:NAME} or ${env:NAME}.'),
    cwd: z.string().min(1).optional().describe('stdio: the working directory.'),
    url: z.string().min(1).optional().describe('remote: the server URL (Streamable HTTP or SSE endpoint).'),
    transport: z.enum(['http', 'sse']).optional().describe('remote: `http` (Streamable HTTP, the default) or `sse`.'),
    headers: stringMap.optional().describe('remote: HTTP headers; secrets only as ${secret:NAME} or ${env:NAME}.'),
  })
  .superRefine((value, context) => {
    const stdio = value.command !== undefined;
    const remote = value.url !== undefined;
    if (stdio === remote) {
      context.addIssue({ code: 'custom', message: 'a connector needs exactly one of `command` (stdio) or `url` (remote)' });
      return;
    }
    const misplaced = stdio ? (['transport', 'headers'] as const) : (['args', 'env', 'cwd'] as const);
    for (const key of misplaced) {
      if (value[key] !== undefined) {
        context.addIssue({ code: 'custom', path: [key], message: `\`${key}\` is for ${stdio ? 'remote' : 'stdio'} connectors; this one uses \`${stdio ? 'command' : 'url'}\`` });
      }
    }
    if (remote && value.url !== undefined) {
      try {
        const url = new URL(value.url.replaceAll(/\$\{[^}]*\}/g, 'x'));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') context.addIssue({ code: 'custom', path: ['url'], message: 'must be an http:// or https:// URL' });
      } catch {
        context.addIssue({ code: 'custom', path: ['url'], message: 'is not a valid URL' });
      }
    }
  })
  .describe('An MCP server: stdio (`command`, `args`, `env`, `cwd`) or remote (`url`, `transport`, `headers`).');

const instructionSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('A stable name, so a project entry can replace a user entry of the same name.'),
    text: z.string().min(1).optional().describe('The guidance itself.'),
    file: z.string().min(1).optional().describe('A file holding the guidance, relative to this manifest.'),
    scope: z.string().min(1).optional().describe('Where it applies: a glob of files, or omitted for always.'),
  })
  .superRefine((value, context) => {
    if ((value.text === undefined) === (value.file === undefined)) {
      context.addIssue({ code: 'custom', message: 'an instruction needs exactly one of `text` or `file`' });
    }
  })
  .describe('Guidance put in front of every client.');

const principalSchema = z
  .strictObject({
    user: z.string().min(1).optional().describe('The user policies see (`Skillsync::User::"<user>"`) and the audit log records. Default: the operating-system user (USER, USERNAME).'),
    teams: z.array(z.string().min(1)).optional().describe('Teams the user is in, for policies (`principal in Skillsync::Team::"<team>"`).'),
    roles: z.array(z.string().min(1)).optional().describe('Roles the user has, for policies (`principal in Skillsync::Role::"<role>"`).'),
  })
  .describe('Who the gateway acts for, as its Cedar policies see it.');

const redactionSchema = z
  .strictObject({
    mode: z.enum(['mask', 'block']).optional().describe('`mask` (default): findings are replaced by [REDACTED:<detector>]; `block`: a result with any finding is withheld (an error to the client).'),
    detectors: z.array(z.enum(REDACTION_DETECTOR_NAMES)).optional().describe('The built-in detectors to run (default: all of them).'),
    custom: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be lowercase letters, digits and hyphens, starting with a letter').describe('Shown in masks as [REDACTED:<name>].'),
          pattern: z.string().min(1).max(1000).describe('A JavaScript regular expression (no nested quantifiers such as (a+)+; it may not match the empty string).'),
          flags: z.string().regex(/^[imsu]*$/, 'may hold only the flags i, m, s, u').optional().describe('Regular expression flags from `imsu`.'),
        }),
      )
      .optional()
      .describe('Your own patterns, run after the built-in detectors.'),
  })
  .describe('What the gateway masks in tool results, resource contents, prompts and log messages before they reach a client.');

const gatewaySchema = z
  .strictObject({
    mode: z
      .enum(['auto', 'gateway', 'direct'])
      .optional()
      .describe('`gateway`: every client gets one `skillsync` entry that starts the gateway; `direct`: each connector is written into each client; `auto` (default): gateway for clients that cannot take a connector as it is (no environment interpolation, or a ${secret:…} reference), direct for the others.'),
    clients: z.partialRecord(z.enum(KNOWN_CLIENT_IDS), z.enum(['gateway', 'direct'])).optional().describe('Per-client override of `mode`.'),
    command: z.array(z.string().min(1)).min(1).optional().describe('How a client starts the gateway (default: ["skillsync"]); `serve --client <id> --scope <scope>` is appended.'),
    namespace: z
      .enum(['always', 'auto'])
      .optional()
      .describe(
        'How `skillsync serve` names the tools and prompts of several connectors. `always` (default): every one is `<connector>__<name>`, so names never change when connectors come and go. `auto`: a name offered by one connector only is kept as it is, and only names several connectors offer get the `<connector>__` prefix (adding a connector can then rename tools clients already know). `--namespace` overrides it.',
      ),
    principal: principalSchema.optional(),
    redaction: redactionSchema.optional(),
    auditRetentionDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Keep audit records this many days: `skillsync serve` prunes older ones when it starts (and about once a day while it runs). Default: keep everything.'),
  })
  .describe('How connectors reach the clients: through the skillsync gateway (policy, secrets, audit) or written into each client directly.');

const publicKeyPattern = /^(?:ed25519:[A-Za-z0-9+/]+={0,2}|-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*)$/;

const trustSchema = z
  .strictObject({
    keys: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe('Who the key belongs to.'),
          publicKey: z.string().regex(publicKeyPattern, 'must be `ed25519:<base64>` or a PEM public key').describe('An ed25519 public key: `ed25519:<base64>` or PEM.'),
        }),
      )
      .default([])
      .describe('Publisher keys whose package signatures are accepted.'),
    requireSignatures: z.boolean().optional().describe('Refuse registry and tarball packages without a valid signature by one of `keys`.'),
  })
  .describe('Which package signatures to trust.');

/**
 * The manifest, `skillsync.yaml`: the desired state at one scope. Strict at every
 * level so a misspelt key is reported, not silently ignored.
 */
export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this file follows, for editor support.'),
    version: z.literal(MANIFEST_VERSION).describe('The manifest format version; always 1.'),
    registry: registryUrl.optional(),
    skills: z
      .record(z.string().regex(skillNamePattern, 'must be a skill name (lowercase letters, digits, single hyphens)'), skillSpecifier)
      .default({})
      .describe('Skills to install: skill name to source.'),
    connectors: z
      .record(
        z
          .string()
          .regex(connectorNamePattern, 'must be a connector name (letters, digits, `.`, `_`, `-`)')
          .refine((name) => name !== GATEWAY_ENTRY_NAME, `\`${GATEWAY_ENTRY_NAME}\` is the name of the gateway's own entry in every client; give this connector another name`),
        connectorSchema,
      )
      .default({})
      .describe('MCP servers to configure in every client, by name.'),
    instructions: z.array(instructionSchema).default([]).describe('Guidance put in front of every client.'),
    clients: z.array(z.enum(KNOWN_CLIENT_IDS)).optional().describe('The clients to keep in sync; omitted means every detected client.'),
    gateway: gatewaySchema.optional(),
    trust: trustSchema.optional(),
  })

  .describe('skillsync manifest: the skills, connectors, instructions and clients wanted at one scope.');

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
export type ConnectorDefinition = z.output<typeof connectorSchema>;
export type InstructionDefinition = z.output<typeof instructionSchema>;
export type TrustConfig = z.output<typeof trustSchema>;
export type GatewayConfig = z.output<typeof gatewaySchema>;
export type GatewayPrincipalConfig = z.output<typeof principalSchema>;
export type GatewayRedactionConfig = z.output<typeof redactionSchema>;

/** The manifest's JSON Schema, for editors and for `schemas/manifest.schema.json`. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return { $id: MANIFEST_SCHEMA_ID, title: 'skillsync manifest', ...schema };
}

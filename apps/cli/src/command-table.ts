import { defineCommand, type CommandSpec, type OptionSpecs } from './define-command.js';

/** Accepted by every command, before or after its name. */
export const globalOptions = {
  json: { type: 'boolean', description: 'Print one JSON document on stdout instead of text' },
  cwd: { type: 'string', value: 'dir', description: 'Run as if started in <dir>' },
  quiet: { type: 'boolean', short: 'q', description: 'Print only problems' },
  verbose: { type: 'boolean', description: 'Print more detail, and stack traces for internal errors' },
  'no-color': { type: 'boolean', description: 'Never colour output (also: NO_COLOR=1)' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command' },
  version: { type: 'boolean', short: 'v', description: 'Print the skillsync version' },
} as const satisfies OptionSpecs;

export const initOptions = {
  user: { type: 'boolean', description: 'Create the user manifest in the skillsync config folder instead' },
  force: { type: 'boolean', description: 'Overwrite an existing skillsync.yaml' },
} as const satisfies OptionSpecs;

export const newOptions = {
  description: { type: 'string', value: 'text', description: 'The skill description (what it does and when to use it)' },
  dir: { type: 'string', value: 'dir', description: 'Create the skill folder under <dir> (default: the current folder; with --add, skills/ beside the manifest)' },
  add: { type: 'boolean', description: 'Also add it to the manifest as a local skill and install it (skillsync.lock updated); `skillsync sync` then puts it into your clients' },
  user: { type: 'boolean', description: 'With --add: add it to the user manifest instead of the project one' },
} as const satisfies OptionSpecs;

export const devOptions = {
  once: { type: 'boolean', description: 'Check once and exit (1 on any finding) instead of watching' },
  sync: { type: 'boolean', description: 'After each save without errors, install and sync, so your clients have the skill live (it must be in a manifest)' },
} as const satisfies OptionSpecs;

export const validateOptions = {
  strict: { type: 'boolean', description: 'Apply every rule of the Agent Skills spec and fail on warnings too' },
} as const satisfies OptionSpecs;

export const packOptions = {
  out: { type: 'string', value: 'dir', description: 'Write the .tgz into <dir> (default: here, or next to the skill when run inside it)' },
  registry: { type: 'string', value: 'dir', description: 'Publish into this directory registry (a folder or file:// URL); held to --strict rules' },
  sign: { type: 'string', value: 'key.pem', description: 'Sign the integrity with this ed25519 private key' },
} as const satisfies OptionSpecs;

export const addOptions = {
  user: { type: 'boolean', description: 'Add to the user manifest instead of the project one' },
  name: { type: 'string', value: 'name', description: 'The skill name, when the source does not say it' },
  connector: { type: 'string', value: 'name', description: 'Add an MCP connector of this name instead of a skill: the command after `--` (stdio), or --url' },
  url: { type: 'string', value: 'url', description: 'With --connector: the remote server (Streamable HTTP, or SSE with --transport sse)' },
  transport: { type: 'string', value: 'http|sse', description: 'With --url: how to reach it (default http)' },
  env: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'With --connector and a command: an environment variable (repeatable); secrets only as ${secret:NAME} or ${env:NAME}' },
  header: { type: 'string', multiple: true, value: 'Name=VALUE', description: 'With --url: an HTTP header (repeatable); secrets only as ${secret:NAME} or ${env:NAME}' },
} as const satisfies OptionSpecs;

export const removeOptions = {
  user: { type: 'boolean', description: 'Remove from the user manifest instead of the project one' },
  connector: { type: 'string', value: 'name', description: 'Remove this MCP connector instead of a skill' },
} as const satisfies OptionSpecs;

export const listOptions = {} as const satisfies OptionSpecs;

export const installOptions = {
  frozen: { type: 'boolean', description: 'Install exactly the lockfile; fail if it does not satisfy the manifest, never write it' },
} as const satisfies OptionSpecs;

export const outdatedOptions = {} as const satisfies OptionSpecs;

export const updateOptions = {} as const satisfies OptionSpecs;

export const storeVerifyOptions = {
  repair: { type: 'boolean', description: 'Remove corrupt entries so the next install fetches them again' },
} as const satisfies OptionSpecs;

export const storePruneOptions = {
  'dry-run': { type: 'boolean', description: 'Only list what would be removed' },
} as const satisfies OptionSpecs;

export const keygenOptions = {
  out: { type: 'string', value: 'dir', description: 'Write the key files into <dir> (default: keys/ in the skillsync config folder)' },
  name: { type: 'string', value: 'name', description: 'Base name of the key files (default: skillsync-signing)' },
  force: { type: 'boolean', description: 'Overwrite existing key files' },
} as const satisfies OptionSpecs;

// The org registry (skillsync server): the address form is docs/server-api.md "Addresses".
const registryOption = {
  registry: { type: 'string', value: 'address', description: 'The org registry, http(s)://host[:port]/v0.1/orgs/<org> (default: the manifest `registry`, else the one registry you are logged in to)' },
} as const satisfies OptionSpecs;

// Never a token option: a token typed on the command line stays in the shell history.
export const loginOptions = {
  ...registryOption,
  'token-stdin': { type: 'boolean', description: 'Read the token from stdin (for scripts) instead of asking at a hidden prompt' },
  'no-profile': { type: 'boolean', description: "Do not apply the org's profile (required and blocked skills and connectors, policies) on this machine" },
} as const satisfies OptionSpecs;

export const logoutOptions = { ...registryOption } as const satisfies OptionSpecs;

export const whoamiOptions = { ...registryOption } as const satisfies OptionSpecs;

export const publishOptions = {
  ...registryOption,
  tag: { type: 'string', value: 'tag', description: 'The dist-tag that points at this version (default: latest)' },
  team: { type: 'string', value: 'team', description: 'Make a new skill visible to this team only (default: the whole org)' },
  sign: { type: 'boolean', description: 'Sign the integrity with your key: keys/skillsync-signing.pem in the skillsync config folder (`skillsync keygen` makes it)' },
  key: { type: 'string', value: 'key.pem', description: 'Sign with this ed25519 private key instead (implies --sign)' },
} as const satisfies OptionSpecs;

export const yankOptions = {
  ...registryOption,
  message: { type: 'string', value: 'text', description: 'Why, for whoever still has it pinned' },
} as const satisfies OptionSpecs;

export const deprecateOptions = {
  ...registryOption,
  message: { type: 'string', value: 'text', description: 'What to use instead, shown whenever the version is installed (required unless --undo)' },
  undo: { type: 'boolean', description: 'Take the deprecation back' },
} as const satisfies OptionSpecs;

// Never a value option: a secret typed on the command line stays in the shell history.
export const secretSetOptions = {
  'from-env': { type: 'string', value: 'VAR', description: 'Copy the value from environment variable VAR (instead of stdin or the hidden prompt)' },
} as const satisfies OptionSpecs;

export const secretGetOptions = {} as const satisfies OptionSpecs;

export const secretListOptions = {} as const satisfies OptionSpecs;

export const secretRmOptions = {} as const satisfies OptionSpecs;

export const clientsOptions = {
  all: { type: 'boolean', description: 'List every known client, not only the ones found here' },
  scope: { type: 'string', value: 'user|project', description: 'Show only the files of this scope (default: both)' },
} as const satisfies OptionSpecs;

const syncTargetOptions = {
  client: { type: 'string', multiple: true, value: 'id', description: 'Only this client (repeatable; default: the manifest `clients:` or every client found)' },
  scope: { type: 'string', value: 'user|project', description: 'Only this scope (default: the project manifest and the user manifest, whichever exist)' },
} as const satisfies OptionSpecs;

export const syncOptions = {
  ...syncTargetOptions,
  'dry-run': { type: 'boolean', description: 'Show what would change, with diffs; write nothing' },
  check: { type: 'boolean', description: 'Write nothing; exit 1 if any item drifted (for CI)' },
} as const satisfies OptionSpecs;

export const statusOptions = { ...syncTargetOptions } as const satisfies OptionSpecs;

export const diffOptions = { ...syncTargetOptions } as const satisfies OptionSpecs;

export const importOptions = {
  client: { type: 'string', multiple: true, value: 'id', description: 'Only from this client (repeatable; default: the manifest `clients:` or every client found)' },
  scope: { type: 'string', value: 'user|project', description: 'Import your user files into the user manifest (default), or the project files into the project manifest' },
  'dry-run': { type: 'boolean', description: 'Show what would be imported; write nothing' },
} as const satisfies OptionSpecs;

export const rollbackOptions = {
  force: { type: 'boolean', description: 'Restore even files changed since the run (their later edits are lost)' },
  list: { type: 'boolean', description: 'List the recorded sync runs instead' },
} as const satisfies OptionSpecs;

export const serveOptions = {
  client: { type: 'string', value: 'id', description: 'The AI client this gateway serves, recorded in the audit log (sync passes it)' },
  scope: { type: 'string', value: 'user|project', description: 'Serve only the connectors of this manifest (default: project and user stacked)' },
  connector: { type: 'string', multiple: true, value: 'name', description: 'Serve only this connector (repeatable)' },
  http: { type: 'string', value: 'host:port', description: 'Serve Streamable HTTP on host:port instead of stdio (loopback; :0 picks a port)' },
  'token-file': { type: 'string', value: 'file', description: 'With --http: the bearer token clients must send (default: a new one, printed once on stderr)' },
  'allow-remote': { type: 'boolean', description: 'With --http: allow a host that is not loopback' },
  namespace: { type: 'string', value: 'always|auto', description: 'Tool and prompt names: always <connector>__<name> (default; gateway.namespace in skillsync.yaml), or auto: a name only one connector offers stays as it is' },
  'no-audit': { type: 'boolean', description: 'Serve without recording calls in the audit log (needed where the state database is unavailable)' },
  skills: { type: 'string', value: 'auto|all|none', description: 'Serve the installed skills over MCP: auto (default) serves none to a --client that takes skill folders (sync writes them there), all to any other' },
} as const satisfies OptionSpecs;

export const upOptions = {
  detach: { type: 'boolean', description: 'Start it in the background and return once it runs (prints the dashboard address)' },
  port: { type: 'string', value: 'n', description: 'Serve the dashboard on 127.0.0.1:<n> (default 0: any free port)' },
  'no-open': { type: 'boolean', description: 'Do not open the dashboard in a browser (never opened when stdout is not a terminal)' },
  headless: { type: 'boolean', description: 'No tray icon, even in a desktop session' },
  'on-drift': { type: 'string', value: 'repair|notify|off', description: 'What to do when a client drifts, for every kind (default: daemon.yaml, else repair)' },
  settle: { type: 'string', value: 'ms', description: 'Quiet time after the last change before acting (default: daemon.yaml, else 300)' },
} as const satisfies OptionSpecs;

export const daemonStatusOptions = {} as const satisfies OptionSpecs;

export const daemonStopOptions = {} as const satisfies OptionSpecs;

export const daemonLogsOptions = {
  lines: { type: 'string', short: 'n', value: 'n', description: 'Show the last n records (default 50)' },
  follow: { type: 'boolean', short: 'f', description: 'Keep printing records as they are written, until Ctrl-C' },
} as const satisfies OptionSpecs;

export const daemonInstallOptions = {} as const satisfies OptionSpecs;

export const daemonUninstallOptions = {} as const satisfies OptionSpecs;

const auditFilterOptions = {
  since: { type: 'string', value: 'time', description: 'Only records from this time on: a duration back from now (30m, 1h, 7d, 2w), a date (2026-01-31) or an ISO 8601 time (UTC unless it says)' },
  until: { type: 'string', value: 'time', description: 'Only records before this time (same forms as --since)' },
  connector: { type: 'string', value: 'name', description: 'Only records of this connector' },
  client: { type: 'string', value: 'id', description: 'Only records from this AI client' },
  decision: { type: 'string', value: 'allow|deny', description: 'Only allowed, or only denied, requests' },
} as const satisfies OptionSpecs;

export const auditOptions = {
  ...auditFilterOptions,
  limit: { type: 'string', value: 'n', description: 'Show the last n matching records (default 50)' },
} as const satisfies OptionSpecs;

export const auditVerifyOptions = {} as const satisfies OptionSpecs;

export const auditExportOptions = {
  ...auditFilterOptions,
  out: { type: 'string', value: 'file', description: 'Write the JSON lines to <file> (mode 0600, atomically) instead of stdout' },
} as const satisfies OptionSpecs;

export const auditPruneOptions = {
  'keep-days': { type: 'string', value: 'n', description: 'Keep the last n days of records and delete older ones (required)' },
  'dry-run': { type: 'boolean', description: 'Only count what would be deleted' },
} as const satisfies OptionSpecs;

export const policyCheckOptions = {} as const satisfies OptionSpecs;

export const policyTestOptions = {} as const satisfies OptionSpecs;

export const serverOptions = {
  database: { type: 'string', value: 'file|url', description: 'A SQLite file, or a postgres:// URL shared by several servers (default: server/server.db in the skillsync state folder)' },
  listen: { type: 'string', value: 'host:port', description: 'Where to serve the API (default 127.0.0.1:4873; :0 picks a free port)' },
  blobs: { type: 'string', value: 'dir', description: 'Keep package files in this folder instead of the database' },
  'audit-keep-days': { type: 'string', value: 'n', description: 'Prune admin audit records older than n days, at start and then daily (default: keep everything)' },
} as const satisfies OptionSpecs;

// The server's maintenance commands work on its database directly, like the server itself.
const serverDatabaseOption = {
  database: { type: 'string', value: 'file|url', description: 'The server database, as for `skillsync server` (default: server/server.db in the skillsync state folder)' },
} as const satisfies OptionSpecs;

export const serverInitOptions = {
  org: { type: 'string', value: 'slug', description: 'The org to create (required)' },
  owner: { type: 'string', value: 'user', description: 'Its first owner, who gets the token (required)' },
  ...serverDatabaseOption,
} as const satisfies OptionSpecs;

export const serverTokenOptions = {
  org: { type: 'string', value: 'slug', description: 'The org (required)' },
  user: { type: 'string', value: 'user', description: 'One of its owners, who gets the token (required)' },
  ...serverDatabaseOption,
} as const satisfies OptionSpecs;

export const serverAuditPruneOptions = {
  before: { type: 'string', value: 'time', description: 'Delete the records older than this: a duration back from now (90d, 12w), a date (2026-01-31) or an ISO 8601 time (required)' },
  'dry-run': { type: 'boolean', description: 'Only count what would be deleted' },
  ...serverDatabaseOption,
} as const satisfies OptionSpecs;

export const serverBlobsPruneOptions = {
  blobs: { type: 'string', value: 'dir', description: 'The folder the server keeps package files in, as given to `skillsync server --blobs` (required)' },
  'dry-run': { type: 'boolean', description: 'Only count what would be removed' },
  ...serverDatabaseOption,
} as const satisfies OptionSpecs;

/** Every command, in the order help lists them. Handlers load only when their command runs. */
export const commandTable: readonly CommandSpec[] = [
  defineCommand({
    name: 'init',
    summary: 'Create a skillsync.yaml manifest',
    description: 'Creates skillsync.yaml in the current folder (the project scope), or with --user in your skillsync config folder.',
    positionals: [],
    options: initOptions,
    examples: [
      { command: 'skillsync init', description: 'Start a project manifest here' },
      { command: 'skillsync init --user', description: 'Start your user manifest' },
    ],
    load: async () => (await import('./commands/init.js')).initHandler,
  }),
  defineCommand({
    name: 'new',
    summary: 'Scaffold a new, valid skill folder',
    positionals: [{ name: 'name', description: 'The skill name: lowercase letters, digits and single hyphens', required: true }],
    options: newOptions,
    description:
      'The folder is written whole or not at all, and never into a folder that has files. With --add the skill is also added to the manifest (as a path relative to it) and installed, in one step; sync stays a step of its own, since it writes into every client: run `skillsync sync`, or `skillsync dev <dir> --sync` while you write it.',
    examples: [
      { command: 'skillsync new triage-bug', description: 'Create ./triage-bug/SKILL.md and friends' },
      { command: 'skillsync new review-pr --dir skills --description "Review a pull request"', description: 'Create it under ./skills' },
      { command: 'skillsync new triage-bug --add', description: 'Create skills/triage-bug beside skillsync.yaml, add it and install it' },
    ],
    load: async () => (await import('./commands/new.js')).newHandler,
  }),
  defineCommand({
    name: 'dev',
    summary: 'Watch a skill folder: findings and where it lands in each client, on every save',
    description:
      'Each pass checks the folder as `validate --strict` does and shows where SKILL.md lands in each target client (the manifest `clients:`, or the clients found here) and why it does not land in the others. It makes one pass now and one after every save, printing one line when a save changes nothing, until Ctrl-C. With --json each pass is one JSON document, one per line while watching (NDJSON). With --sync each save without errors also runs `skillsync install` and `skillsync sync` for the scope of the manifest that lists the folder.',
    positionals: [{ name: 'dir', description: 'The skill folder (default: the current folder)' }],
    options: devOptions,
    examples: [
      { command: 'skillsync dev skills/triage-bug', description: 'Validate and preview on every save' },
      { command: 'skillsync dev skills/triage-bug --sync', description: 'Also put every good save into your clients' },
      { command: 'skillsync dev --once --json', description: 'One pass over the current folder, for scripts (exit 1 on any finding)' },
    ],
    load: async () => (await import('./commands/dev.js')).devHandler,
  }),
  defineCommand({
    name: 'validate',
    summary: 'Check skill folders against the Agent Skills spec',
    description:
      'Without paths it validates the skills of the project manifest that are local folders, or the current folder when it is a skill. Exits 1 when any error is found (with --strict, any warning too).',
    positionals: [{ name: 'paths', description: 'Skill folders to check', variadic: true }],
    options: validateOptions,
    examples: [
      { command: 'skillsync validate --strict', description: 'Check the current skill as strictly as publishing does' },
      { command: 'skillsync validate skills/*', description: 'Check several skills leniently' },
    ],
    load: async () => (await import('./commands/validate.js')).validateHandler,
  }),
  defineCommand({
    name: 'pack',
    summary: 'Pack a skill into a deterministic .tgz with its integrity',
    positionals: [{ name: 'path', description: 'The skill folder (default: the current folder)' }],
    options: packOptions,
    examples: [
      { command: 'skillsync pack triage-bug --out dist', description: 'Write dist/triage-bug-1.0.0.tgz' },
      { command: 'skillsync pack --registry file:///srv/skills --sign key.pem', description: 'Publish a signed package to a directory registry' },
    ],
    load: async () => (await import('./commands/pack.js')).packHandler,
  }),
  defineCommand({
    name: 'add',
    summary: 'Add a skill or an MCP connector to the manifest',
    description:
      'A skill source is a skill folder (./skills/x), a package (x.tgz), a directory registry (file:///srv/skills#name@^1) or name@range from the manifest registry; run `skillsync install` afterwards. With --connector <name>, an MCP server instead: started as the command after `--` (stdio, with --env), or reached at --url (with --transport and --header). Secrets go in only as ${secret:NAME} (stored with `skillsync secret set NAME`) or ${env:NAME}: a value that looks like a credential is refused and never printed. Run `skillsync sync` afterwards.',
    positionals: [{ name: 'source', description: 'Where the skill comes from; with --connector, the command and its arguments, after --', variadic: true }],
    options: addOptions,
    examples: [
      { command: 'skillsync add ./skills/triage-bug', description: 'Add a local skill folder' },
      { command: 'skillsync add triage-bug@^1.2', description: 'Add a skill from the configured registry' },
      { command: "skillsync add --connector github --env 'GITHUB_TOKEN=${secret:GITHUB_TOKEN}' -- npx -y @modelcontextprotocol/server-github", description: 'Add a stdio MCP server' },
      { command: 'skillsync add --connector linear --url https://mcp.linear.app/mcp', description: 'Add a remote MCP server' },
    ],
    load: async () => (await import('./commands/add.js')).addHandler,
  }),
  defineCommand({
    name: 'remove',
    summary: 'Remove a skill or an MCP connector from the manifest',
    positionals: [{ name: 'name', description: 'The skill to remove' }],
    options: removeOptions,
    examples: [
      { command: 'skillsync remove triage-bug', description: 'Drop triage-bug from skillsync.yaml' },
      { command: 'skillsync remove --connector github', description: 'Drop the github connector; the next sync removes it from every client' },
    ],
    load: async () => (await import('./commands/remove.js')).removeHandler,
  }),
  defineCommand({
    name: 'list',
    summary: 'List the skills the manifests declare and what is installed',
    positionals: [],
    options: listOptions,
    examples: [{ command: 'skillsync list --json', description: 'Machine-readable list of skills' }],
    load: async () => (await import('./commands/list.js')).listHandler,
  }),
  defineCommand({
    name: 'install',
    summary: 'Resolve, verify and store every skill; write skillsync.lock',
    description:
      'Writes skillsync.lock next to the project manifest when it changed. Every package is integrity-checked; a mismatch is refused. With --frozen the lockfile must already satisfy the manifest and is never written (use it in CI).',
    positionals: [],
    options: installOptions,
    examples: [
      { command: 'skillsync install', description: 'Install and update the lockfile' },
      { command: 'skillsync install --frozen', description: 'Install exactly what skillsync.lock says (CI)' },
    ],
    load: async () => (await import('./commands/install.js')).installHandler,
  }),
  defineCommand({
    name: 'outdated',
    summary: 'Show skills with newer versions available',
    description: 'Exits 1 when any skill is outdated, so CI can gate on it.',
    positionals: [],
    options: outdatedOptions,
    examples: [{ command: 'skillsync outdated', description: 'Compare the lockfile with the sources' }],
    load: async () => (await import('./commands/outdated.js')).outdatedHandler,
  }),
  defineCommand({
    name: 'update',
    summary: 'Update skills to the newest versions their ranges allow',
    positionals: [{ name: 'names', description: 'Skills to update (default: all)', variadic: true }],
    options: updateOptions,
    examples: [
      { command: 'skillsync update', description: 'Update every skill within its range' },
      { command: 'skillsync update triage-bug', description: 'Update one skill' },
    ],
    load: async () => (await import('./commands/update.js')).updateHandler,
  }),
  defineCommand({
    name: 'store verify',
    summary: 'Re-hash every package in the store',
    description: 'Exits 1 when any entry does not match its integrity.',
    positionals: [],
    options: storeVerifyOptions,
    examples: [
      { command: 'skillsync store verify', description: 'Check the store' },
      { command: 'skillsync store verify --repair', description: 'Check it and drop corrupt entries' },
    ],
    load: async () => (await import('./commands/store-verify.js')).storeVerifyHandler,
  }),
  defineCommand({
    name: 'store prune',
    summary: 'Remove store packages the lockfiles here do not use',
    description:
      'Keeps every package of the project lockfile and of the user lockfile; removes the rest. The store is shared by all your projects: a package another project uses is fetched again by its next install.',
    positionals: [],
    options: storePruneOptions,
    examples: [
      { command: 'skillsync store prune --dry-run', description: 'See what would go' },
      { command: 'skillsync store prune', description: 'Free space in the store' },
    ],
    load: async () => (await import('./commands/store-prune.js')).storePruneHandler,
  }),
  defineCommand({
    name: 'keygen',
    summary: 'Create an ed25519 key pair for signing packages',
    description: 'Writes <name>.pem (the private key, mode 0600) and <name>.pub (the public key). Put the public key in `trust.keys` of the manifests that should accept your packages.',
    positionals: [],
    options: keygenOptions,
    examples: [
      { command: 'skillsync keygen', description: 'Create skillsync-signing.pem and .pub in your config folder' },
      { command: 'skillsync keygen --out ~/keys --name team', description: 'Create ~/keys/team.pem and ~/keys/team.pub' },
    ],
    load: async () => (await import('./commands/keygen.js')).keygenHandler,
  }),
  defineCommand({
    name: 'login',
    summary: 'Log in to an org registry with a token, kept in the secret store',
    description:
      'Asks for the token at a prompt that does not echo (or reads it from stdin with --token-stdin), checks it with the registry (GET /v0.1/whoami), and only then keeps it in the secret store, one token per registry address; the address is recorded in registries.json in the skillsync config folder, never the token. Prints who you are in the org. From then on the org profile (what your teams must and must not run) is the top scope of sync, status and the gateway, unless you pass --no-profile (docs/org-profiles.md); login fetches it once. In CI, set SKILLSYNC_REGISTRY_TOKEN and SKILLSYNC_REGISTRY (the address it is for) instead of logging in: that token goes to that registry and those you are logged in to, never to one a manifest or lockfile merely names. Exits 1 when the registry refuses the token; nothing is stored then.',
    positionals: [],
    options: loginOptions,
    examples: [
      { command: 'skillsync login --registry https://skills.example.com/v0.1/orgs/acme', description: 'Paste your token at the hidden prompt' },
      { command: 'skillsync login --registry http://127.0.0.1:4873/v0.1/orgs/acme --token-stdin < token.txt', description: 'Log in from a script' },
    ],
    load: async () => (await import('./commands/login.js')).loginHandler,
  }),
  defineCommand({
    name: 'logout',
    summary: 'Forget the token of an org registry',
    description: 'Removes the token from the secret store and the address from registries.json; the token stays valid on the server until an admin revokes it or it expires. Exits 1 when you were not logged in to that registry.',
    positionals: [],
    options: logoutOptions,
    examples: [
      { command: 'skillsync logout', description: 'Log out of the registry you are logged in to' },
      { command: 'skillsync logout --registry https://skills.example.com/v0.1/orgs/acme', description: 'Log out of one of several' },
    ],
    load: async () => (await import('./commands/logout.js')).logoutHandler,
  }),
  defineCommand({
    name: 'whoami',
    summary: 'Show who you are in an org registry: user, org, role, teams and token',
    description: 'Asks the registry with your stored token (or SKILLSYNC_REGISTRY_TOKEN, for SKILLSYNC_REGISTRY). Exits 1 when you are not logged in or the token is refused.',
    positionals: [],
    options: whoamiOptions,
    examples: [
      { command: 'skillsync whoami', description: 'Your user, role and teams' },
      { command: 'skillsync whoami --json', description: 'The same, with the token scopes and expiry, for scripts' },
    ],
    load: async () => (await import('./commands/whoami.js')).whoamiHandler,
  }),
  defineCommand({
    name: 'publish',
    summary: 'Publish a skill to an org registry',
    description:
      'Checks the folder as `validate --strict` does (any finding refuses it), packs it as `pack` does, signs the integrity with --sign, and uploads it; the registry recomputes the integrity and refuses a mismatch. Published versions never change: bump metadata.version to publish again. A publish whose answer was lost is retried safely. Exits 1 on findings or a refusal (e.g. SERVER_FORBIDDEN for a member token).',
    positionals: [{ name: 'folder', description: 'The skill folder (default: the current folder)' }],
    options: publishOptions,
    examples: [
      { command: 'skillsync publish skills/triage-bug', description: 'Publish as latest to the manifest registry' },
      { command: 'skillsync publish --tag beta --team platform --sign', description: 'A signed beta, visible to one team' },
    ],
    load: async () => (await import('./commands/publish.js')).publishHandler,
  }),
  defineCommand({
    name: 'yank',
    summary: 'Yank a published version: no new install resolves it',
    description: 'A yanked version is never picked by a new resolution, but a lockfile that pins it still installs it (install --frozen). A yank is final: publish a fixed version instead of taking it back.',
    positionals: [{ name: 'package', description: 'The published version to yank, as name@version', required: true }],
    options: yankOptions,
    examples: [
      { command: 'skillsync yank triage-bug@1.2.0 --message "leaks the issue body into logs"', description: 'Yank with a reason' },
      { command: 'skillsync yank triage-bug@1.2.0 --json', description: 'The same, for scripts' },
    ],
    load: async () => (await import('./commands/yank.js')).yankHandler,
  }),
  defineCommand({
    name: 'deprecate',
    summary: 'Deprecate a published version with a message; it still installs',
    positionals: [{ name: 'package', description: 'The published version to deprecate, as name@version', required: true }],
    options: deprecateOptions,
    examples: [
      { command: 'skillsync deprecate triage-bug@1.0.0 --message "use 2.x: it reads the new tracker"', description: 'Deprecate with advice' },
      { command: 'skillsync deprecate triage-bug@1.0.0 --undo', description: 'Take the deprecation back' },
    ],
    load: async () => (await import('./commands/deprecate.js')).deprecateHandler,
  }),
  defineCommand({
    name: 'secret set',
    summary: 'Store a secret for ${secret:NAME} references (never printed)',
    description:
      'Reads the value from stdin when stdin is not a terminal (one trailing newline is dropped), otherwise asks for it at a prompt that does not echo; --from-env copies it from an environment variable. The value is never a command-line argument, so it never lands in your shell history. Secrets live in the OS keychain on macOS and Windows, and in an encrypted file store elsewhere (SKILLSYNC_SECRETS_BACKEND=file|keychain chooses); see docs/secrets.md.',
    positionals: [{ name: 'name', description: 'The secret name: a letter or _, then letters, digits, _, . or -', required: true }],
    secretArguments: true,
    options: secretSetOptions,
    examples: [
      { command: 'skillsync secret set GITHUB_TOKEN', description: 'Type the value at a hidden prompt' },
      { command: 'gh auth token | skillsync secret set GITHUB_TOKEN', description: 'Store what another command prints' },
      { command: 'skillsync secret set NPM_TOKEN --from-env NPM_TOKEN', description: 'Copy it from the environment' },
    ],
    load: async () => (await import('./commands/secret.js')).secretSetHandler,
  }),
  defineCommand({
    name: 'secret get',
    summary: 'Print a secret value, for scripts',
    description: 'Prints the value only (with --json: {"name", "value"}). Exits 1 with SECRET_NOT_FOUND when there is no such secret.',
    positionals: [{ name: 'name', description: 'The secret to print', required: true }],
    options: secretGetOptions,
    examples: [
      { command: 'skillsync secret get GITHUB_TOKEN', description: 'Print the value' },
      { command: 'GH_TOKEN="$(skillsync secret get GITHUB_TOKEN)" gh repo list', description: 'Use it in one command' },
    ],
    load: async () => (await import('./commands/secret.js')).secretGetHandler,
  }),
  defineCommand({
    name: 'secret list',
    summary: 'List the stored secret names and when each was set (never values)',
    positionals: [],
    options: secretListOptions,
    examples: [
      { command: 'skillsync secret list', description: 'Names, store and update times' },
      { command: 'skillsync secret list --json', description: 'The same, for scripts' },
    ],
    load: async () => (await import('./commands/secret.js')).secretListHandler,
  }),
  defineCommand({
    name: 'secret rm',
    summary: 'Delete a stored secret',
    description: 'Exits 1 with SECRET_NOT_FOUND when there is no such secret.',
    positionals: [{ name: 'name', description: 'The secret to delete', required: true }],
    options: secretRmOptions,
    examples: [{ command: 'skillsync secret rm GITHUB_TOKEN', description: 'Forget the value' }],
    load: async () => (await import('./commands/secret.js')).secretRmHandler,
  }),
  defineCommand({
    name: 'clients',
    summary: 'Show the AI clients found here and the files skillsync manages in each',
    description:
      'Read-only. For each client: whether it was found (and by which file), and per scope its connectors file, skills folder and instruction file, whether each exists now, and what the client does not support. Paths are shown from your home (~/) and the project root (./); --json gives them absolute.',
    positionals: [],
    options: clientsOptions,
    examples: [
      { command: 'skillsync clients', description: 'The clients found, with their files' },
      { command: 'skillsync clients --all --scope project', description: 'Where every known client keeps its project files' },
      { command: 'skillsync clients --json', description: 'Everything, with absolute paths, for scripts' },
    ],
    load: async () => (await import('./commands/clients.js')).clientsHandler,
  }),
  defineCommand({
    name: 'import',
    summary: 'Adopt the MCP servers, skills and instructions your clients already have',
    description:
      'Reads every client found (or --client) and adds what it has to the manifest: the same server in several clients becomes one connector, a credential written in a client file becomes a ${secret:NAME} reference with its value in the secret store (never printed), each skill is copied next to the manifest and versioned, each distinct instruction text becomes a file under instructions/. No client file changes: run `skillsync sync` next, which puts everything in every client and can be undone with `skillsync rollback`. Exits 1 when a client file could not be read (it is named and left untouched; everything else is still imported).',
    positionals: [],
    options: importOptions,
    examples: [
      { command: 'skillsync import --dry-run', description: 'See what would be adopted' },
      { command: 'skillsync import', description: 'Adopt everything into your user manifest' },
      { command: 'skillsync import --scope project --client cursor', description: "Adopt this project's Cursor setup into ./skillsync.yaml" },
    ],
    load: async () => (await import('./commands/import.js')).importHandler,
  }),
  defineCommand({
    name: 'sync',
    summary: 'Put the skills, connectors and instructions into every AI client',
    description:
      'Writes each target client in its own dialect, keeping everything else in its files byte-identical. A file that cannot be parsed is left untouched and reported (exit 1); the other clients are still synced. Entries someone else owns with our name are never overwritten. Every run can be undone with `skillsync rollback`. Skills must be installed first (`skillsync install`). With an org profile (`skillsync login`), sync fetches it first (3 s at most; the cached one otherwise), installs the skills it requires, and refuses what it blocks with the reason (PROFILE_BLOCKED, exit 1); --dry-run and --check use the cached profile.',
    positionals: [],
    options: syncOptions,
    examples: [
      { command: 'skillsync sync', description: 'Sync every client found' },
      { command: 'skillsync sync --dry-run', description: 'Show the diff per client file, write nothing' },
      { command: 'skillsync sync --check', description: 'CI: exit 1 when any client drifted' },
      { command: 'skillsync sync --client cursor --scope user', description: 'Only Cursor, only your user files' },
    ],
    load: async () => (await import('./commands/sync.js')).syncHandler,
  }),
  defineCommand({
    name: 'status',
    summary: 'Show what each client holds per scope, and every item that drifted: missing, modified, …',
    description: 'One line per client (what skillsync manages there, and how much of it is in sync), then every item that asks for something: missing, modified, outdated, conflict, unmanaged (a foreign entry), needs-gateway. --verbose lists every item, in-sync and unsupported ones too; --json always does. Read-only and exit 0 whatever drifted (`skillsync sync --check` is the gate that fails on drift); exit 1 when something violates your org profile (PROFILE_BLOCKED: a blocked skill or connector in a manifest or a client file, a required skill missing or pinned outside its required versions). Uses the cached org profile: never the network.',
    positionals: [],
    options: statusOptions,
    examples: [
      { command: 'skillsync status', description: 'Where each client stands' },
      { command: 'skillsync status --verbose', description: 'Every item, one row each' },
      { command: 'skillsync status --json', description: 'Every item, for scripts' },
    ],
    load: async () => (await import('./commands/status.js')).statusHandler,
  }),
  defineCommand({
    name: 'diff',
    summary: 'Show the unified diff of what sync would write',
    positionals: [],
    options: diffOptions,
    examples: [{ command: 'skillsync diff --client cursor', description: 'What sync would change in Cursor' }],
    load: async () => (await import('./commands/diff.js')).diffHandler,
  }),
  defineCommand({
    name: 'rollback',
    summary: 'Restore every file of the last (or a named) sync run, byte for byte',
    description: 'Refuses (exit 1) when a file changed after that run, naming the files; --force restores anyway.',
    positionals: [{ name: 'run-id', description: 'The run to undo (default: the last one)' }],
    options: rollbackOptions,
    examples: [
      { command: 'skillsync rollback', description: 'Undo the last sync' },
      { command: 'skillsync rollback --list', description: 'The recorded runs' },
    ],
    load: async () => (await import('./commands/rollback.js')).rollbackHandler,
  }),
  defineCommand({
    name: 'serve',
    summary: 'Run the MCP gateway: every connector behind one server, with secrets, policy and audit',
    description:
      'Starts every enabled connector of the manifests (stdio ones as child processes, remote ones over Streamable HTTP or SSE), with ${secret:NAME} references resolved into their environment or headers only, and serves them to one client as a single MCP server on stdio: tools and prompts as <connector>__<name> (with --namespace auto, under their own name unless two connectors offer it), resources by URI, and every installed skill of the manifests through the MCP Skills extension (skills/list, skill:// resources), as a prompt each and through the skillsync__list_skills and skillsync__load_skill tools. This is what the `skillsync` entry that sync writes in gateway mode runs. With --http it serves Streamable HTTP instead, on a loopback address, to clients that send the bearer token. Every call, prompt and resource read is authorized by the Cedar policies of the served scopes (<config>/policies, .skillsync/policies, or the built-in default; what is denied is not listed), its result passes the redactor (gateway.redaction in skillsync.yaml), and each decision is recorded in the audit log (`skillsync audit`); SIGHUP reads the policies again. Logs go to stderr (only problems, unless --verbose). It stops when the client closes stdin, or on SIGINT/SIGTERM, and ends every connector process.',
    positionals: [],
    options: serveOptions,
    examples: [
      { command: 'skillsync serve --client cursor --scope user', description: 'What a client in gateway mode runs' },
      { command: 'skillsync serve --connector github --verbose', description: 'Serve one connector and show its output on stderr' },
      { command: 'skillsync serve --http 127.0.0.1:8765 --token-file ~/.config/skillsync/gateway.token', description: 'Serve Streamable HTTP to clients that send that bearer token' },
      { command: 'skillsync serve --namespace auto', description: 'Keep tool names as the connectors give them, prefixing only the ones two connectors share' },
    ],
    load: async () => (await import('./commands/serve.js')).serveHandler,
  }),
  defineCommand({
    name: 'up',
    summary: 'Run the daemon: keeps every client in sync, serves the dashboard, shows the tray icon',
    description:
      'Watches the user manifest, the project manifest of this folder, their lockfiles and instruction files, and every file of every target client. When a watched file changes and then stays quiet for the settle time, it plans a sync and, per kind of item (daemon.yaml `onDrift`, or --on-drift), repairs the drift, only reports it (notify), or ignores it (off). Its own writes never start another repair, and a file a client rewrites after every repair is held (left alone, and reported) until it has been left alone for a minute, or "Sync now". With nothing configured it says which clients it found, so `skillsync import` can adopt them, and keeps watching for a manifest. The dashboard is served on 127.0.0.1 only, behind a token made at each start (the address opened in your browser, or printed to a terminal, carries it); the tray icon shows where a desktop session exists. One daemon runs per user: when one is running already, `up` prints its pid and dashboard address, opens the dashboard, and exits 0. Ctrl-C (or SIGTERM) stops it cleanly. Its records go to daemon.log in the skillsync state folder (`skillsync daemon logs`).',
    positionals: [],
    options: upOptions,
    examples: [
      { command: 'skillsync up', description: 'Run it here until Ctrl-C, and open the dashboard' },
      { command: 'skillsync up --detach', description: 'Start it in the background and print the dashboard address' },
      { command: 'skillsync up --on-drift notify --settle 1000', description: 'Only report drift, a second after the last change' },
      { command: 'skillsync up --detach --no-open --headless --port 0', description: 'For scripts and tests: no browser, no tray' },
    ],
    load: async () => (await import('./commands/up.js')).upHandler,
  }),
  defineCommand({
    name: 'daemon status',
    summary: 'Show whether the daemon runs, its dashboard, and the drift it sees',
    description: 'Reads what the running daemon last reported (it rewrites daemon-status.json in the state folder when anything changes). Exits 1 when no daemon is running. The dashboard token is never printed: `skillsync up` opens the dashboard with it.',
    positionals: [],
    options: daemonStatusOptions,
    examples: [
      { command: 'skillsync daemon status', description: 'Health, dashboard, last sync and drifted items' },
      { command: 'skillsync daemon status --json', description: 'The same, for scripts (exit 1: not running)' },
    ],
    load: async () => (await import('./commands/daemon.js')).daemonStatusHandler,
  }),
  defineCommand({
    name: 'daemon stop',
    summary: 'Stop the running daemon',
    description: 'Sends it SIGTERM and waits until it has stopped: a repair under way is finished first, the dashboard and tray close, and its instance file is removed. Exits 0 when no daemon was running.',
    positionals: [],
    options: daemonStopOptions,
    examples: [{ command: 'skillsync daemon stop', description: 'Stop it and wait' }],
    load: async () => (await import('./commands/daemon.js')).daemonStopHandler,
  }),
  defineCommand({
    name: 'daemon logs',
    summary: "Show the daemon's log records",
    description: 'The log is JSON lines (pino) in daemon.log in the skillsync state folder; this shows the last records as text (times in UTC), or with --json as objects. With --follow it keeps printing new records, one JSON line per batch with --json, until Ctrl-C.',
    positionals: [],
    options: daemonLogsOptions,
    examples: [
      { command: 'skillsync daemon logs -n 100', description: 'The last 100 records' },
      { command: 'skillsync daemon logs --follow', description: 'Watch what it does' },
      { command: 'skillsync daemon logs --json', description: 'Records as objects, for scripts' },
    ],
    load: async () => (await import('./commands/daemon.js')).daemonLogsHandler,
  }),
  defineCommand({
    name: 'daemon install',
    summary: 'Start the daemon at every login (a systemd user unit, a launchd agent, or a Windows Startup script)',
    description:
      'Writes the per-user login service that runs `skillsync up --no-open --quiet` with this Node and this skillsync (absolute paths) from your home folder, carrying SKILLSYNC_HOME and the other variables that move skillsync\'s or a client\'s files when they are set. Linux: ~/.config/systemd/user/skillsync.service, then `systemctl --user daemon-reload`, `enable` and `start` (`restart` when the file changed, so a running daemon picks it up) when systemctl and a user bus are there (else it prints the commands to run); it restarts after a crash, not after a clean stop. macOS: ~/Library/LaunchAgents/skillsync.daemon.plist, loaded with `launchctl load -w` (unloaded first when it changed and was loaded). Windows: skillsync.vbs in the Startup folder (no console window), run at the next login. The tray icon shows when the login session has a desktop. Exits 1 when a service command failed.',
    positionals: [],
    options: daemonInstallOptions,
    examples: [{ command: 'skillsync daemon install', description: 'Run the daemon from every login on' }],
    load: async () => (await import('./commands/daemon.js')).daemonInstallHandler,
  }),
  defineCommand({
    name: 'daemon uninstall',
    summary: 'Remove the login service `daemon install` wrote',
    description: 'Disables and stops it first where the service manager is reachable (systemctl --user disable --now, launchctl unload -w), then deletes the file. Exits 1 when a service command failed.',
    positionals: [],
    options: daemonUninstallOptions,
    examples: [{ command: 'skillsync daemon uninstall', description: 'Stop starting it at login' }],
    load: async () => (await import('./commands/daemon.js')).daemonUninstallHandler,
  }),
  defineCommand({
    name: 'audit',
    summary: 'Show the gateway audit log: who called what, through which client, allowed or denied',
    description:
      'Prints the last records (default 50) of the hash-chained audit log the gateway appends to, oldest first, times in UTC; --json gives every field, hashes included. Filters combine. The log lives in skillsync.db in the skillsync state folder. Sub-commands: `audit verify` checks the chain, `audit export` writes JSON lines, `audit prune` deletes old records; see docs/audit.md.',
    positionals: [],
    options: auditOptions,
    examples: [
      { command: 'skillsync audit --since 1h', description: 'What happened in the last hour' },
      { command: 'skillsync audit --decision deny --since 7d', description: 'Everything denied this week' },
      { command: 'skillsync audit --connector github --client cursor --json', description: "Cursor's GitHub calls, every field, for scripts" },
    ],
    load: async () => (await import('./commands/audit.js')).auditListHandler,
  }),
  defineCommand({
    name: 'audit verify',
    summary: 'Check the audit hash chain; print the head hash to anchor elsewhere',
    description:
      'Recomputes every record hash from the prune anchor (or the first record) on. Exits 1 naming the first record that was edited, deleted, reordered or inserted. A rewrite of the whole log by someone with write access can only be caught against a head hash kept elsewhere: copy the printed head hash to a ticket, a commit or another machine.',
    positionals: [],
    options: auditVerifyOptions,
    examples: [
      { command: 'skillsync audit verify', description: 'Check the chain; exit 1 on a broken record' },
      { command: 'skillsync audit verify --json', description: 'The result, head hash included, for scripts and monitoring' },
    ],
    load: async () => (await import('./commands/audit.js')).auditVerifyHandler,
  }),
  defineCommand({
    name: 'audit export',
    summary: 'Write audit records as JSON lines, hashes included',
    description:
      'One JSON object per line, oldest first, with seq, prevHash and hash, so the chain can be checked without skillsync (docs/audit.md). To stdout, or with --out to a file written atomically with mode 0600 (then --json prints a summary). Takes the same filters as `skillsync audit`.',
    positionals: [],
    options: auditExportOptions,
    examples: [
      { command: 'skillsync audit export --out audit.jsonl', description: 'Everything, to a file' },
      { command: 'skillsync audit export --since 2026-01-01 | gzip > audit-2026.jsonl.gz', description: 'This year, compressed' },
    ],
    load: async () => (await import('./commands/audit.js')).auditExportHandler,
  }),
  defineCommand({
    name: 'audit prune',
    summary: 'Delete audit records older than --keep-days, keeping the chain verifiable',
    description:
      'Deletes the oldest records up to the first one newer than n days, after checking that part of the chain (a broken chain is refused with AUDIT_CHAIN_BROKEN and nothing is deleted). The last deleted record becomes the anchor `audit verify` starts from, and the prune itself is appended to the log. Export first if you must keep the records.',
    positionals: [],
    options: auditPruneOptions,
    examples: [
      { command: 'skillsync audit prune --keep-days 90 --dry-run', description: 'How many records are older than 90 days' },
      { command: 'skillsync audit prune --keep-days 90', description: 'Keep three months of records' },
    ],
    load: async () => (await import('./commands/audit.js')).auditPruneHandler,
  }),
  defineCommand({
    name: 'policy check',
    summary: 'Validate Cedar policy files against the skillsync schema',
    description:
      'Without paths it checks the policies of both scopes: <config>/policies/*.cedar (user) and .skillsync/policies/*.cedar next to the project manifest (project); when neither has any, the built-in default policy the gateway falls back to. A folder is checked as one policy set (its *.cedar files). Problems are printed as file:line:column with Cedar\'s message; exits 1 on any error (warnings do not fail). The schema and examples are in docs/policy.md.',
    positionals: [{ name: 'paths', description: 'Policy files or folders of them', variadic: true }],
    options: policyCheckOptions,
    examples: [
      { command: 'skillsync policy check', description: 'Check the user and project policies' },
      { command: 'skillsync policy check .skillsync/policies/tools.cedar', description: 'Check one file' },
      { command: 'skillsync policy check policies/ --json', description: 'Findings as JSON, for CI' },
    ],
    load: async () => (await import('./commands/policy.js')).policyCheckHandler,
  }),
  defineCommand({
    name: 'policy test',
    summary: 'Run the policy test cases next to the policies; exit 1 on any failure',
    description:
      'A test file (<name>.test.yaml or policy-tests.yaml) lists cases { name, principal: { user, teams?, roles? }, action, resource: { id, connector? }, context?, expect: allow|deny } and runs against all the *.cedar files of its folder (the built-in default policy when there are none). Without paths it runs the tests of both scopes\' policy folders. Prints pass or fail per case.',
    positionals: [{ name: 'paths', description: 'Policy folders, test files, or policy files (their <file>.test.yaml)', variadic: true }],
    options: policyTestOptions,
    examples: [
      { command: 'skillsync policy test', description: 'Run the tests of the user and project policies' },
      { command: 'skillsync policy test .skillsync/policies', description: 'Run one folder\'s tests' },
      { command: 'skillsync policy test --json', description: 'Results as JSON, for CI' },
    ],
    load: async () => (await import('./commands/policy.js')).policyTestHandler,
  }),
  defineCommand({
    name: 'server',
    summary: "Run the org server: your team's registry, roles, profiles and parity over one HTTP API",
    description:
      'Serves the API of docs/server-api.md until Ctrl-C (or SIGTERM), then lets requests under way finish. Everything lives in one SQLite file by default; with --database postgres://… several servers can share one PostgreSQL (they are stateless, and a change made through one reaches the event streams of all). Prints the address once it listens (with --json, one JSON line), and one JSON log line per request on stderr (method, route, status, time, user; never a token). Create the first org and its owner token with `skillsync server init`. Maintenance: `server audit prune` deletes old admin audit records (or --audit-keep-days does it daily), `server blobs prune` removes package files left by failed publishes (also done at each start). The server speaks plain HTTP: anywhere but on this machine, put a TLS proxy in front of it, or tokens cross the network in clear.',
    positionals: [],
    options: serverOptions,
    examples: [
      { command: 'skillsync server', description: 'Serve on 127.0.0.1:4873 from the default SQLite file' },
      { command: 'skillsync server --database postgres://skillsync@db:5432/skillsync --listen 0.0.0.0:4873', description: 'One of several servers sharing PostgreSQL, behind a TLS proxy' },
      { command: 'skillsync server --blobs /srv/skillsync/packages', description: 'Keep package files on disk instead of in the database' },
    ],
    load: async () => (await import('./commands/server.js')).serverHandler,
  }),
  defineCommand({
    name: 'server init',
    summary: 'Create an org on the server database, with its first owner and their token',
    description:
      'Creates the org (signatures not required, reporting off, no trusted keys), the owner, and a token for them with the admin scope, valid 90 days. The token is printed once, on stdout, and stored only as its SHA-256: keep it now (`skillsync login --registry <address>` reads it). Refuses an org that exists (SERVER_CONFLICT). Run it with the same --database as the server; a running server sees the new org at once.',
    positionals: [],
    options: serverInitOptions,
    examples: [
      { command: 'skillsync server init --org acme --owner alice', description: 'The first org of a new server, and its owner token' },
      { command: 'skillsync server init --org acme --owner alice --json', description: 'The same as JSON, for a setup script' },
    ],
    load: async () => (await import('./commands/server.js')).serverInitHandler,
  }),
  defineCommand({
    name: 'server token',
    summary: 'Issue a new token for an owner of an org, straight in the server database',
    description:
      'The way back in when every owner token is lost or expired: creates a token with the admin scope, valid 90 days, for --user, who must be an owner of --org, without going through the API (so whoever can run it holds the server database anyway). The token is printed once, on stdout, and stored only as its SHA-256; the owner\'s other tokens stay as they are (revoke lost ones with DELETE /orgs/{org}/tokens/{id}). Refuses an org or member that does not exist (SERVER_NOT_FOUND) and a member who is not an owner (SERVER_FORBIDDEN). Run it with the same --database as the server.',
    positionals: [],
    options: serverTokenOptions,
    examples: [
      { command: 'skillsync server token --org acme --user alice', description: "A new token for acme's owner alice" },
      { command: 'skillsync server token --org acme --user alice --database postgres://skillsync@db:5432/skillsync --json', description: 'The same against PostgreSQL, as JSON for a script' },
    ],
    load: async () => (await import('./commands/server.js')).serverTokenHandler,
  }),
  defineCommand({
    name: 'server audit prune',
    summary: "Delete the server's admin audit records older than --before, keeping the chain verifiable",
    description:
      "Deletes the oldest records of the server's admin audit log (every org's: the chain is one) up to the first one at or after --before, after checking that part of the chain: a broken chain is refused with AUDIT_CHAIN_BROKEN, exit 1, and nothing is deleted. The last deleted record becomes the anchor verification starts from (GET /orgs/{org}/audit/verify answers it), and the prune itself is appended to the chain. A time in the future is refused (exit 2). Export first what you must keep (GET /orgs/{org}/audit/export). Safe while servers run on the same database. `skillsync server --audit-keep-days <n>` prunes on its own instead.",
    positionals: [],
    options: serverAuditPruneOptions,
    examples: [
      { command: 'skillsync server audit prune --before 365d --dry-run', description: 'How many records are older than a year' },
      { command: 'skillsync server audit prune --before 2026-01-01 --database postgres://skillsync@db:5432/skillsync --json', description: 'Delete everything before 2026, against PostgreSQL, as JSON' },
    ],
    load: async () => (await import('./commands/server.js')).serverAuditPruneHandler,
  }),
  defineCommand({
    name: 'server blobs prune',
    summary: 'Remove package files no published version uses from the blob folder',
    description:
      'With `skillsync server --blobs <dir>`, a publish writes the package file before its version is committed, so a publish that failed leaves a file no version names. This removes those, and temp files of interrupted writes, once they are more than an hour old (a publish under way is never hit); files that are not package blobs are left alone. The server also does it each time it starts. Run it with the same --database and --blobs as the server, also while it runs. Packages kept in the database need no prune. Exit 1 when the folder cannot be read or written.',
    positionals: [],
    options: serverBlobsPruneOptions,
    examples: [
      { command: 'skillsync server blobs prune --blobs /srv/skillsync/packages --dry-run', description: 'What would be removed' },
      { command: 'skillsync server blobs prune --blobs /srv/skillsync/packages --database postgres://skillsync@db:5432/skillsync --json', description: 'Remove them, against PostgreSQL, as JSON' },
    ],
    load: async () => (await import('./commands/server.js')).serverBlobsPruneHandler,
  }),
];

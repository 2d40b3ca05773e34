/**
 * The catalogue of every stable error and finding code skillsync emits.
 * Codes are part of the public contract (scripts match on them): never rename one,
 * only add. Each entry carries the default hint shown to the user.
 */
export const errorCatalogue = {
  // usage and input
  USAGE: { hint: 'Run the command with --help to see its usage and an example.' },
  INVALID_INPUT: { hint: 'Check the value against the documented format.' },
  FILE_NOT_FOUND: { hint: 'Check the path exists and is readable.' },
  FILE_READ_FAILED: { hint: 'Check the file permissions.' },
  FILE_WRITE_FAILED: { hint: 'Check there is free space and the directory is writable.' },

  // skills
  SKILL_MD_MISSING: { hint: 'A skill is a folder with a SKILL.md file at its root.' },
  SKILL_FRONTMATTER_MISSING: { hint: 'Start SKILL.md with a YAML frontmatter block between two `---` lines.' },
  SKILL_FRONTMATTER_UNCLOSED: { hint: 'Close the frontmatter with a line containing only `---`.' },
  SKILL_FRONTMATTER_INVALID_YAML: { hint: 'Fix the YAML syntax at the reported line.' },
  SKILL_FRONTMATTER_NOT_MAPPING: { hint: 'The frontmatter must be a YAML mapping of `key: value` pairs.' },
  SKILL_NAME_MISSING: { hint: 'Add `name:` with the skill folder name.' },
  SKILL_NAME_INVALID: { hint: 'Use 1-64 lowercase letters, digits and single hyphens, not starting or ending with a hyphen.' },
  SKILL_NAME_MISMATCH: { hint: 'Rename the folder or the `name:` so that they are equal.' },
  SKILL_DESCRIPTION_MISSING: { hint: 'Add `description:` saying what the skill does and when to use it.' },
  SKILL_DESCRIPTION_INVALID: { hint: 'Keep the description between 1 and 1024 characters, without `<` or `>`.' },
  SKILL_COMPATIBILITY_INVALID: { hint: 'Keep `compatibility` a string of at most 500 characters.' },
  SKILL_METADATA_INVALID: { hint: '`metadata` must map string keys to string values; quote numbers such as "1.0".' },
  SKILL_FIELD_INVALID: { hint: 'Check the field type against the Agent Skills specification.' },
  SKILL_UNKNOWN_FIELD: { hint: 'Move client-specific fields under `metadata`, or drop them before publishing.' },
  SKILL_VERSION_INVALID: { hint: 'Set `metadata.version` to a semantic version such as "1.2.0".' },
  SKILL_VERSION_MISSING: { hint: 'Add `metadata: { version: "1.0.0" }` to the frontmatter.' },
  SKILL_BODY_TOO_LONG: { hint: 'Keep SKILL.md under 500 lines; move details to references/ files.' },
  SKILL_BODY_EMPTY: { hint: 'Write the instructions the agent follows below the frontmatter.' },
  SKILL_REFERENCE_MISSING: { hint: 'Create the referenced file or fix the link.' },
  SKILL_SIDECAR_INVALID: { hint: 'Fix the sidecar file against schemas/skill-sidecar.schema.json.' },
  SKILL_EVALS_INVALID: { hint: 'Fix evals/evals.json: { "skill_name", "evals": [{ "id", "prompt", ... }] }.' },
  SKILL_NOT_FOUND: { hint: 'Check the skill name and the configured sources.' },
  SKILL_DESCRIPTION_ANGLE_BRACKETS: { hint: 'Remove `<` and `>` from the description: some tools reject them (skill-creator) and they can inject markup into prompts.' },
  SKILL_MD_LOWERCASE: { hint: 'Rename skill.md to SKILL.md: the specification names it in capitals and some clients only look for that.' },
  SKILL_DRAFT_INVALID: { hint: 'Fix the findings listed in the details (the rules of `skillsync validate --strict`) and create it again; nothing was written.' },
  SKILL_INSTALL_FAILED: { hint: 'The skill folder was written and added to the manifest, but not installed: fix the problem named, then run `skillsync install`.' },

  // packages
  PACKAGE_INVALID: { hint: 'The file is not a skillsync package (a gzip tarball with SKILL.md at its root).' },
  PACKAGE_UNSAFE_PATH: { hint: 'The package contains an absolute path or `..`; it was refused and nothing was written.' },
  PACKAGE_UNSAFE_ENTRY: { hint: 'The package contains a link, device or other special file; it was refused and nothing was written.' },
  PACKAGE_TOO_LARGE: { hint: 'The package exceeds the size or file-count limit; it was refused and nothing was written.' },
  PACKAGE_EMPTY: { hint: 'The folder has no files to pack.' },
  INTEGRITY_MISMATCH: { hint: 'The content does not match its recorded integrity: it was changed or corrupted. Re-fetch it from a trusted source.' },
  INTEGRITY_INVALID: { hint: 'Integrity strings look like `sha512-<base64>`.' },
  SIGNATURE_INVALID: { hint: 'The signature does not verify against the trusted key: do not install this package.' },
  SIGNATURE_MISSING: { hint: 'This manifest requires signed packages; ask the publisher for a signed release.' },
  SIGNATURE_UNTRUSTED_KEY: { hint: 'Add the publisher key to `trust.keys` in skillsync.yaml if you trust it.' },
  KEY_INVALID: { hint: 'Keys are ed25519, as PEM or `ed25519:<base64>`.' },

  // store
  STORE_CORRUPT: { hint: 'Run `skillsync store verify` and then `skillsync install` to repair.' },
  STORE_LOCKED: { hint: 'Another skillsync process holds the store lock; retry when it finishes.' },

  // manifest and lockfile
  MANIFEST_NOT_FOUND: { hint: 'Run `skillsync init` to create skillsync.yaml.' },
  MANIFEST_EXISTS: { hint: 'A skillsync.yaml already exists here; edit it or pass --force.' },
  MANIFEST_INVALID_YAML: { hint: 'Fix the YAML syntax at the reported line.' },
  MANIFEST_INVALID: { hint: 'Fix the reported field; the format is in schemas/manifest.schema.json.' },
  MANIFEST_UNKNOWN_KEY: { hint: 'Remove or rename the key.' },
  MANIFEST_UNSUPPORTED_VERSION: { hint: 'Upgrade skillsync, or set `version: 1`.' },
  MANIFEST_CHANGED: { hint: 'The manifest was saved by someone else while skillsync was editing it; nothing was written to it. Try again: the edit is then made on the saved version.' },
  MANIFEST_SECRET_LITERAL: { hint: 'Store the value with `skillsync secret set NAME` and write `${secret:NAME}` in its place (or `${env:NAME}` for a variable of the environment the client runs in).' },
  LOCKFILE_INVALID: { hint: 'Delete skillsync.lock and run `skillsync install` to regenerate it.' },
  LOCKFILE_UNSUPPORTED_VERSION: { hint: 'Upgrade skillsync to read this lockfile.' },
  LOCKFILE_OUT_OF_DATE: { hint: 'Run `skillsync install` (without --frozen) and commit the updated skillsync.lock.' },
  LOCKFILE_MISSING: { hint: 'Run `skillsync install` to create skillsync.lock.' },

  // resolution and sources
  SOURCE_INVALID: { hint: 'Use a path (./skills/x), a tarball (x.tgz), `name@range`, or a registry `file://` URL.' },
  SOURCE_UNREACHABLE: { hint: 'Check the registry address and your connection.' },
  REGISTRY_NOT_CONFIGURED: { hint: 'Set `registry:` in skillsync.yaml, or give the skill a path or `file://` source.' },
  VERSION_NOT_FOUND: { hint: 'Run `skillsync outdated` or check the published versions; widen the range if needed.' },
  DEPENDENCY_CYCLE: { hint: 'Break the cycle by removing one of the required skills.' },
  DEPENDENCY_CONFLICT: { hint: 'Two skills need incompatible versions of the same skill; align their ranges.' },
  SKILL_ALREADY_ADDED: { hint: 'The skill is in skillsync.yaml already; use `skillsync update` to change its version.' },
  VERSION_ALREADY_PUBLISHED: { hint: 'Published versions never change: bump `metadata.version` in SKILL.md and publish again.' },
  MANIFEST_ENTRY_EXISTS: { hint: 'An entry of that name is in skillsync.yaml already; rename one of them.' },
  SKILL_NOT_IN_MANIFEST: { hint: 'Run `skillsync list` to see the skills the manifest declares.' },
  CONNECTOR_NOT_IN_MANIFEST: { hint: 'The connectors are under `connectors:` in skillsync.yaml (`--user`: the user manifest); `skillsync status` lists them per client.' },

  // client files
  CLIENT_FILE_INVALID: { hint: 'Fix the syntax error at the reported line; skillsync leaves the file untouched until it parses.' },
  CLIENT_FILE_UNSUPPORTED_LAYOUT: { hint: 'skillsync could not edit this layout safely and left the file untouched; move the reported entry into its usual form (for TOML, a `[table]` section) and sync again.' },

  // sync runs
  SYNC_FILE_CHANGED: { hint: 'A running client changed the file while skillsync was syncing; it was left as the client wrote it. Run `skillsync sync` again.' },
  SYNC_SKILL_FAILED: { hint: 'The skill folder was left as it was; run `skillsync store verify`, then `skillsync sync` again.' },
  JOURNAL_INVALID: { hint: 'Restore it with `skillsync rollback`, or delete it: skillsync then treats the entries it wrote before as someone else\'s.' },
  RUN_NOT_FOUND: { hint: 'Check the run id: each sync prints its id, and runs are kept in the runs/ folder of the skillsync state folder.' },
  ROLLBACK_CONFLICT: { hint: 'The named files changed after that run; rolling back would lose those edits. Pass --force to restore them anyway.' },

  // secrets
  SECRET_NAME_INVALID: { hint: 'Secret names start with a letter or `_`, then up to 127 letters, digits, `_`, `.` or `-` (as in `${secret:GITHUB_TOKEN}`).' },
  SECRET_VALUE_INVALID: { hint: 'A secret value is 1 byte to 64 KiB. Pipe it in (`printf %s "$VALUE" | skillsync secret set NAME`), type it at the hidden prompt, or use --from-env VAR.' },
  SECRET_NOT_FOUND: { hint: 'Run `skillsync secret list` to see the stored names, and `skillsync secret set NAME` to store one.' },
  SECRET_STORE_CORRUPT: { hint: 'The encrypted secrets file or its key was changed or damaged. Remove the damaged secret with `skillsync secret rm NAME` and set it again; if the key file was lost or replaced, delete the secrets folder and set every secret again.' },
  SECRET_KEY_PERMISSIONS: { hint: 'Make the secrets key file readable by you only (`chmod 600` on it); if others may have read it, set your secrets again with new values.' },
  SECRET_BACKEND_UNAVAILABLE: { hint: 'The OS keychain is not usable here (locked, absent, or no desktop session). Set SKILLSYNC_SECRETS_BACKEND=file to use the encrypted file store instead.' },

  // gateway (skillsync serve)
  CONNECTOR_NOT_FOUND: { hint: 'Check the names under `connectors:` in skillsync.yaml (project and user manifests).' },
  GATEWAY_CONNECTOR_NAME_INVALID: { hint: 'Rename the connector in skillsync.yaml: the gateway exposes its tools as <connector>__<tool>, so a connector name may not contain "__" or end with "_", and "skillsync" is the gateway\'s own (its skill tools, prompts and skill:// URIs).' },
  GATEWAY_CONNECTOR_FAILED: { hint: "Check the connector's command, arguments and working folder (or its URL and headers), and run `skillsync serve --verbose` to see its output." },
  GATEWAY_REFERENCE_UNSET: { hint: 'Set the environment variable before the gateway starts, or change the ${env:NAME} reference in skillsync.yaml.' },
  GATEWAY_SECRET_PLACEMENT: { hint: "Put ${secret:NAME} only in a connector's `env` (stdio) or `headers` (remote): anywhere else the value would show in process lists, URLs or logs." },
  GATEWAY_REMOTE_REFUSED: { hint: 'Listen on 127.0.0.1 or localhost, or pass --allow-remote if other machines must reach the gateway (the bearer token then guards it on the network; put TLS in front of it).' },
  GATEWAY_TOKEN_INVALID: { hint: 'Put at least 32 characters of random text in the token file (for example `openssl rand -hex 32 > token && chmod 600 token`).' },
  GATEWAY_LISTEN_FAILED: { hint: 'Pick another --http port, or stop the process that holds it.' },
  GATEWAY_POLICY_UNREADABLE: { hint: 'Make the policy folder (<config>/policies or .skillsync/policies) and its *.cedar files readable, or remove the folder to use the built-in default policy: the gateway does not start without policies it cannot read.' },

  // state database and audit log
  STATE_DB_UNAVAILABLE: { hint: 'The database cannot be used right now: check that PostgreSQL is running, reachable at the configured address and accepting these credentials; skillsync reconnects by itself once it is back, so retry in a moment. (For the local SQLite database the message names the engine that failed to load.)' },
  STATE_DB_FAILED: { hint: 'Check that the file is a skillsync state database and that the state folder is writable and not full. The database is skillsync.db in the skillsync state folder.' },
  STATE_DB_LOCKED: { hint: 'Another skillsync process (a gateway or a CLI command) held the state database write lock for too long; retry. If it persists, look for a hung skillsync process.' },
  STATE_SCHEMA_TOO_NEW: { hint: 'A newer skillsync has upgraded this state database; upgrade skillsync to use it.' },
  AUDIT_LOG_CLOSED: { hint: 'Append before closing the audit log, or open it again.' },
  AUDIT_CHAIN_BROKEN: { hint: 'Run `skillsync audit verify` to see which record is broken, and keep a copy (`skillsync audit export --out FILE`) before investigating. Nothing was pruned, so no evidence was lost.' },
  AUDIT_BACKLOG: { hint: 'Audit records could not be written for a while and too many are waiting: check the state database (disk full, permissions, a process holding the lock). The gateway refuses calls rather than run them unaudited.' },

  // policy and redaction
  POLICY_INVALID: { hint: 'Fix the policy at the reported file and line. Policies are Cedar, checked against the skillsync schema (entity types, actions, context) described in docs/policy.md.' },
  POLICY_WARNING: { hint: 'The policy is valid Cedar but can never apply as written (for example an action on a resource type it does not take); see docs/policy.md.' },
  POLICY_NOT_FOUND: { hint: 'Put policies in *.cedar files in <config>/policies (user) or .skillsync/policies (project), or pass the files or folders to check.' },
  POLICY_TEST_INVALID: { hint: 'A policy test file is a YAML list of { name, principal: { user, teams?, roles? }, action, resource: { type, id, connector? }, context?: { client }, expect: allow|deny }; see docs/policy.md.' },
  REDACTION_PATTERN_INVALID: { hint: 'Give each custom pattern a lowercase name and a JavaScript regular expression (flags from "imsu") that cannot match the empty string and has no nested quantifier such as (a+)+.' },

  // the dashboard (skillsync up)
  DASHBOARD_UNAUTHORIZED: { hint: 'Open the dashboard from the address `skillsync up` or the tray opens: it carries the token of this daemon start, and a token of an earlier start no longer works.' },
  DASHBOARD_HOST_REFUSED: { hint: 'Reach the dashboard at http://127.0.0.1:PORT or http://localhost:PORT from its own page: other host names and other sites are refused (DNS rebinding and cross-site protection).' },
  DASHBOARD_ROUTE_NOT_FOUND: { hint: 'Check the address and the method: every call that changes something is a POST.' },
  DASHBOARD_LISTEN_FAILED: { hint: 'Pick another port (`skillsync up --port <n>`, or 0 for any free one), or stop the process that holds it.' },
  DASHBOARD_NOT_BUILT: { hint: 'The dashboard page is missing from this install: run `npm run build` in the skillsync repository, or reinstall skillsync. The API still works.' },
  CONNECTOR_CALL_FAILED: { hint: "Check the tool name and its arguments against the tool's input schema, and that the connector answers in time (`skillsync serve --verbose` shows its output)." },

  // the tray (skillsync up)
  TRAY_UNAVAILABLE: { hint: 'The daemon runs without a tray icon. It needs a desktop session with a system tray (on Linux, DISPLAY or WAYLAND_DISPLAY set and an AppIndicator / StatusNotifierItem host) and the optional systray2 package.' },
  BROWSER_OPEN_FAILED: { hint: 'Open the dashboard address yourself; on Linux, xdg-open must be installed and find a default web browser.' },

  // the daemon (skillsync up)
  DAEMON_ALREADY_RUNNING: { hint: 'One daemon runs per user: use the one that is running (`skillsync daemon status`), or stop it first with `skillsync daemon stop`.' },
  DAEMON_SETTINGS_INVALID: { hint: 'Fix daemon.yaml in the skillsync config folder: `onDrift` is repair, notify or off (or one of them per kind: connector, skill, instructions) and `settleMs` a whole number of milliseconds from 100 to 60000.' },
  DAEMON_START_FAILED: { hint: 'Run `skillsync up` in the foreground to see why it stops, and read `skillsync daemon logs`.' },
  DAEMON_STOP_FAILED: { hint: 'End the process yourself (kill <pid> on Linux and macOS, `taskkill /PID <pid>` on Windows); the next `skillsync up` takes over its instance file.' },
  DAEMON_STOPPING: { hint: 'The daemon was stopping when this arrived, so it was not done: start it again with `skillsync up`, or run `skillsync sync`.' },
  DAEMON_SERVICE_UNSAFE: { hint: 'A path or environment variable the login service would name holds a line break (or, on Windows, a `%`), which its file cannot carry safely: move skillsync or Node.js, or unset the variable, and run `skillsync daemon install` again.' },

  // the org server (skillsync server) and its clients
  SERVER_UNAUTHENTICATED: { hint: 'Send a valid token: `skillsync login --registry <address>` stores one; tokens expire and can be revoked, so ask an org admin for a new one if yours stopped working.' },
  SERVER_FORBIDDEN: { hint: "Your role (or the token's scopes) does not allow this: `skillsync whoami` shows both; ask an org admin for the role or a token with the scope." },
  SERVER_NOT_FOUND: { hint: 'Check the org, team, skill or version name; what you may not see is reported as not found.' },
  SERVER_CONFLICT: { hint: 'It already exists or was changed meanwhile: read it again and retry.' },
  SERVER_PAYLOAD_TOO_LARGE: { hint: 'The request body is over the server limit: packages must stay within the package limits of docs/package-format.md.' },
  SERVER_RATE_LIMITED: { hint: 'Too many requests from you (counted per member, across all your tokens): wait the number of seconds in retry-after and retry.' },
  SERVER_UNAVAILABLE: { hint: 'The server cannot reach its database right now: retry in a moment; nothing was half-done.' },
  SERVER_CONFIG_INVALID: { hint: 'Check `skillsync server --help`: --database takes a file path or a postgres:// URL, --listen HOST:PORT (loopback unless you mean it).' },
  REGISTRY_LOGIN_REQUIRED: { hint: 'Run `skillsync login --registry <address>` with a token from your org admin.' },
  REGISTRY_RESPONSE_INVALID: { hint: 'The registry answered with something that is not the skillsync registry API: check the address (it ends in /v0.1/orgs/<org>).' },
  PROFILE_BLOCKED: { hint: 'Your org profile blocks this; remove it from the manifest, or ask an org admin why (the reason is in the profile).' },

  // processes
  LOCK_TIMEOUT: { hint: 'Another skillsync process is running; wait for it, or remove a stale lock if none is.' },
  INTERNAL: { hint: 'This is a bug in skillsync; please report it with the command you ran.' },
} as const satisfies Record<string, { hint: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}

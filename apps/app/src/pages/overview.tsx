import type { ReactNode } from 'react';
import type { ClientsData, CommandReply, ImportData, StatusData } from '../../../cli/src/daemon/http/api-types.js';
import { activeDrift } from '../../../cli/src/daemon/drift-summary.js';
import { ApiError } from '../api-client.js';
import { ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useAction, useApi, useDaemon, useResource } from '../hooks.js';
import { Link } from '../router.js';

/** Item statuses that are not skillsync's to keep in parity: not counted as managed. */
const UNMANAGED = new Set(['unmanaged', 'unsupported', 'needs-gateway']);

export function OverviewPage(): ReactNode {
  const { status: daemon, revision } = useDaemon();
  const clients = useResource<CommandReply<ClientsData>>('/clients', revision);
  const parity = useResource<CommandReply<StatusData>>('/status', revision);
  const unconfigured = parity.error instanceof ApiError && parity.error.code === 'MANIFEST_NOT_FOUND';

  return (
    <>
      <PageHeader title="Overview">Each AI client on this machine and whether it has everything the manifests declare.</PageHeader>
      {clients.data === undefined ? clients.error === undefined ? <Loading /> : <ErrorNote error={clients.error} /> : null}
      {clients.data !== undefined && unconfigured ? <FirstRun clients={clients.data.data} /> : null}
      {!unconfigured ? <ErrorNote error={parity.error} title="Parity could not be read" /> : null}
      {clients.data !== undefined && parity.data !== undefined ? (
        <ClientGrid clients={clients.data.data} parity={parity.data.data} drift={daemon === undefined ? [] : activeDrift(daemon.drift)} />
      ) : null}
    </>
  );
}

function ClientGrid(props: { readonly clients: ClientsData; readonly parity: StatusData; readonly drift: readonly { readonly client: string }[] }): ReactNode {
  const { clients, parity, drift } = props;
  const found = clients.clients.filter((client) => client.found);
  if (found.length === 0) return <NoClients />;
  const targeted = new Set(parity.scopes.flatMap((scope) => scope.clients));
  return (
    <ul className="cards" aria-label="Clients">
      {found.map((client) => {
        const items = parity.scopes.flatMap((scope) => scope.items.filter((item) => item.client === client.id && !UNMANAGED.has(item.status)));
        const problems = parity.scopes.flatMap((scope) => scope.problems.filter((problem) => problem.client === client.id));
        const drifted = drift.filter((item) => item.client === client.id).length;
        const state = problems.length > 0 ? 'error' : drifted > 0 ? 'drift' : 'in-sync';
        const label = problems.length > 0 ? 'unreadable file' : drifted > 0 ? `${drifted} drifted` : 'in sync';
        return (
          <li key={client.id} className="card" data-client={client.id}>
            <div className="card-head">
              <h2>{client.name}</h2>
              {targeted.has(client.id) ? <Pill value={state} label={label} /> : <Pill value="plain" label="not a target" />}
            </div>
            <p className="muted">
              {items.length} managed item{items.length === 1 ? '' : 's'}
              {drifted > 0 ? (
                <>
                  {' · '}
                  <Link to="/drift">see the drift</Link>
                </>
              ) : null}
            </p>
            {problems.map((problem) => (
              <p key={problem.path} className="error-text">
                <code>{problem.code}</code> {problem.path}
                {problem.line === undefined ? '' : `:${problem.line}`}: {problem.message}
              </p>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

function NoClients(): ReactNode {
  return (
    <div className="note">
      <p>
        <strong>No AI clients were found on this machine.</strong> skillsync looks for Claude Code, Claude Desktop, Cursor, Windsurf, Codex, VS Code, Gemini CLI and others in their
        usual places.
      </p>
      <p className="muted">Install one and it shows up here; the daemon keeps running meanwhile.</p>
    </div>
  );
}

/** Nothing configured yet: the clients found, and what `import` would adopt from them. */
function FirstRun(props: { readonly clients: ClientsData }): ReactNode {
  const api = useApi();
  const found = props.clients.clients.filter((client) => client.found);
  const preview = useResource<CommandReply<ImportData>>(found.length === 0 ? undefined : '/import');
  const apply = useAction<CommandReply<ImportData>>();
  if (found.length === 0) return <NoClients />;
  const plan = preview.data?.data;
  const empty = plan !== undefined && plan.connectors.length + plan.skills.length + plan.instructions.length === 0;
  return (
    <section className="panel" aria-labelledby="first-run">
      <h2 id="first-run">Nothing is configured yet</h2>
      <p>
        Found {found.length} client{found.length === 1 ? '' : 's'}: {found.map((client) => client.name).join(', ')}.
      </p>
      {preview.loading && plan === undefined ? <Loading label="Reading what they have…" /> : null}
      <ErrorNote error={preview.error} />
      {plan === undefined ? null : empty ? (
        <p>They have no MCP servers, skills or instructions to import. Add some with the Builder or `skillsync add`.</p>
      ) : (
        <>
          <p>Import adopts what they already have into your user manifest ({plan.manifest}). No client file changes until you sync.</p>
          <ul className="plain-list">
            {plan.connectors.map((connector) => (
              <li key={`c-${connector.name}`}>
                connector <strong>{connector.name}</strong> <span className="muted">from {connector.from.join(', ')}</span>
              </li>
            ))}
            {plan.skills.map((skill) => (
              <li key={`s-${skill.name}`}>
                skill <strong>{skill.name}</strong> {skill.version} <span className="muted">from {skill.from.join(', ')}</span>
              </li>
            ))}
            {plan.instructions.map((instruction) => (
              <li key={`i-${instruction.name}`}>
                instructions <strong>{instruction.name}</strong> <span className="muted">from {instruction.from.join(', ')}</span>
              </li>
            ))}
          </ul>
          {plan.secrets.length > 0 ? <p className="muted">Credentials found in client files go to the secret store as {plan.secrets.map((secret) => secret.name).join(', ')} (never shown).</p> : null}
          <button type="button" className="primary" disabled={apply.busy || apply.result !== undefined} onClick={() => { apply.run(() => api.post<CommandReply<ImportData>>('/import', {})); }}>
            {apply.busy ? 'Importing…' : 'Import what exists'}
          </button>
        </>
      )}
      <ErrorNote error={apply.error} title="Import failed" />
      {apply.result === undefined ? null : (
        <p className="note note-good" role="status">
          Imported into {apply.result.data.manifest}. <strong>Sync now</strong> (above) puts everything into every client.
        </p>
      )}
    </section>
  );
}

import { useState, type ReactNode } from 'react';
import type { ConnectorCallReply, ConnectorsReply, ConnectorSummary, ConnectorTool, ConnectorToolsReply } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useAction, useApi, useDaemon, useResource } from '../hooks.js';

export function ConnectorsPage(): ReactNode {
  const { revision } = useDaemon();
  const connectors = useResource<ConnectorsReply>('/connectors', revision);
  const reply = connectors.data;
  return (
    <>
      <PageHeader title="Connectors">The MCP servers the manifests declare, where each stands in each client, and their tools, tried live.</PageHeader>
      {reply === undefined ? connectors.error === undefined ? <Loading /> : <ErrorNote error={connectors.error} /> : null}
      {reply?.statusError === undefined ? null : <ErrorNote error={reply.statusError} title="Where each connector stands could not be read" />}
      {reply !== undefined && reply.connectors.length === 0 ? <p className="note">No connectors declared yet. Import them from your clients on the Overview, or add them under <code>connectors:</code> in skillsync.yaml.</p> : null}
      <ul className="stack" aria-label="Connectors">
        {reply?.connectors.map((connector) => <ConnectorCard key={`${connector.scope}-${connector.name}`} connector={connector} />)}
      </ul>
    </>
  );
}

function ConnectorCard(props: { readonly connector: ConnectorSummary }): ReactNode {
  const { connector } = props;
  const api = useApi();
  const tools = useAction<ConnectorToolsReply>();
  const path = `/connectors/${encodeURIComponent(connector.name)}`;
  return (
    <li className="card" data-connector={connector.name}>
      <div className="card-head">
        <h2>{connector.name}</h2>
        <span className="muted">
          {connector.transport} · {connector.scope}
          {connector.enabled ? '' : ' · disabled'}
        </span>
      </div>
      <p>
        <code className="wrap">{connector.target}</code>
      </p>
      {connector.envNames.length + connector.headerNames.length === 0 ? null : (
        <p className="muted">
          {connector.envNames.length > 0 ? `env: ${connector.envNames.join(', ')}` : ''}
          {connector.headerNames.length > 0 ? `headers: ${connector.headerNames.join(', ')}` : ''}
        </p>
      )}
      <ul className="chips" aria-label={`${connector.name} in each client`}>
        {connector.clients.map((state) => (
          <li key={`${state.scope}-${state.client}`} title={state.detail}>
            {state.client} <Pill value={state.status} />
          </li>
        ))}
      </ul>
      <button type="button" disabled={tools.busy || !connector.enabled} onClick={() => { tools.run(() => api.post<ConnectorToolsReply>(`${path}/tools`, {})); }}>
        {tools.busy ? 'Starting the connector…' : tools.result === undefined ? 'List tools' : 'List tools again'}
      </button>
      <ErrorNote error={tools.error} title="The connector did not answer" />
      {tools.result === undefined ? null : tools.result.tools.length === 0 ? (
        <p className="muted">It offers no tools (or the policies allow none).</p>
      ) : (
        <ul className="stack tools">
          {tools.result.tools.map((tool) => (
            <ToolTry key={tool.name} path={path} tool={tool} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** One tool: its description, and a test call with arguments written as JSON. */
function ToolTry(props: { readonly path: string; readonly tool: ConnectorTool }): ReactNode {
  const { tool } = props;
  const api = useApi();
  const call = useAction<ConnectorCallReply>();
  const [args, setArgs] = useState('{}');
  const [argsError, setArgsError] = useState<string | undefined>(undefined);
  const id = `args-${tool.name}`;
  const submit = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch (error) {
      setArgsError(`Not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setArgsError('The arguments are a JSON object, like {"query": "…"}.');
      return;
    }
    setArgsError(undefined);
    call.run(() => api.post<ConnectorCallReply>(`${props.path}/call`, { tool: tool.name, arguments: parsed }));
  };
  return (
    <li className="tool" data-tool={tool.name}>
      <details>
        <summary>
          <code>{tool.name}</code> <span className="muted">{tool.description}</span>
        </summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <label htmlFor={id}>Arguments (JSON)</label>
          <textarea id={id} rows={4} value={args} spellCheck={false} aria-invalid={argsError !== undefined} onChange={(event) => { setArgs(event.target.value); }} />
          {argsError === undefined ? null : <p className="error-text">{argsError}</p>}
          <details className="schema">
            <summary>Input schema</summary>
            <pre>{JSON.stringify(tool.inputSchema, null, 2)}</pre>
          </details>
          <button type="submit" disabled={call.busy}>
            {call.busy ? 'Calling…' : 'Test call'}
          </button>
        </form>
        <ErrorNote error={call.error} title="The call failed" />
        {call.result === undefined ? null : (
          <div className={call.result.isError ? 'note note-error' : 'note note-good'} role="status">
            <p>
              {call.result.isError ? 'The tool answered with an error' : 'Result'} in {Math.round(call.result.elapsedMs)} ms
            </p>
            <pre>{call.result.content.map((block) => (isText(block) ? block.text : JSON.stringify(block, null, 2))).join('\n')}</pre>
          </div>
        )}
      </details>
    </li>
  );
}

function isText(block: unknown): block is { readonly type: 'text'; readonly text: string } {
  return typeof block === 'object' && block !== null && 'type' in block && block.type === 'text' && 'text' in block && typeof block.text === 'string';
}

import { useState, type SubmitEvent, type ReactNode } from 'react';
import type { PoliciesReply, WhatIfReply, WhatIfRequest } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useAction, useApi, useResource } from '../hooks.js';

export function PoliciesPage(): ReactNode {
  const policies = useResource<PoliciesReply>('/policies');
  const reply = policies.data;
  return (
    <>
      <PageHeader title="Policies" actions={<button type="button" onClick={policies.reload}>Read again</button>}>
        The Cedar policies the gateway enforces on every call, and what they answer for a given user, tool and client.
      </PageHeader>
      {reply === undefined ? policies.error === undefined ? <Loading /> : <ErrorNote error={policies.error} /> : null}
      {reply === undefined ? null : (
        <>
          <WhatIf reply={reply} />
          <section className="panel" aria-labelledby="active-policies">
            <h2 id="active-policies">Active policies</h2>
            {'error' in reply.engine ? (
              <ErrorNote error={reply.engine.error} title="These policies do not load: the gateway would refuse to start" />
            ) : (
              <p className="muted">
                {reply.builtIn ? 'No policy files: the built-in default policy is in force.' : `${reply.engine.policyIds.length} policies`} · version <code>{reply.engine.version.slice(0, 19)}</code>
              </p>
            )}
            {reply.check.data.sets.flatMap((set) => set.findings).map((finding, index) => (
              <p key={index} className={finding.severity === 'error' ? 'note note-error' : 'note'}>
                <code>{finding.code}</code> {finding.file}
                {finding.line === undefined ? '' : `:${finding.line}`}: {finding.message}
              </p>
            ))}
            {reply.files.map((file) => (
              <figure key={file.path} className="policy-file">
                <figcaption className="wrap">{file.path}</figcaption>
                <pre>{file.text}</pre>
              </figure>
            ))}
          </section>
        </>
      )}
    </>
  );
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** "May user X call tool Y of connector C from client Z?" */
function WhatIf(props: { readonly reply: PoliciesReply }): ReactNode {
  const api = useApi();
  const { principal } = props.reply;
  const [form, setForm] = useState({ user: principal.user, teams: (principal.teams ?? []).join(', '), roles: (principal.roles ?? []).join(', '), connector: '', tool: '', client: 'claude-code' });
  const answer = useAction<WhatIfReply>();
  const input = (key: keyof typeof form, label: string, placeholder?: string): ReactNode => (
    <>
      <label htmlFor={`whatif-${key}`}>{label}</label>
      <input
        id={`whatif-${key}`}
        value={form[key]}
        placeholder={placeholder}
        required={!['teams', 'roles'].includes(key)}
        onChange={(event) => {
          setForm({ ...form, [key]: event.target.value });
        }}
      />
    </>
  );
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const request: WhatIfRequest = { user: form.user, teams: list(form.teams), roles: list(form.roles), connector: form.connector, tool: form.tool, client: form.client };
    answer.run(() => api.post<WhatIfReply>('/policies/what-if', request));
  };
  return (
    <section className="panel" aria-labelledby="what-if">
      <h2 id="what-if">What if…</h2>
      <form className="form-grid" onSubmit={onSubmit}>
        {input('user', 'User')}
        {input('teams', 'Teams', 'comma-separated')}
        {input('roles', 'Roles', 'comma-separated')}
        {input('connector', 'Connector', 'github')}
        {input('tool', 'Tool', 'create_issue')}
        {input('client', 'From client')}
        <button type="submit" className="primary" disabled={answer.busy}>
          {answer.busy ? 'Asking…' : 'May they call it?'}
        </button>
      </form>
      <ErrorNote error={answer.error} />
      {answer.result === undefined ? null : (
        <p className={answer.result.decision === 'allow' ? 'note note-good' : 'note note-error'} role="status">
          <Pill value={answer.result.decision} label={answer.result.decision === 'allow' ? 'Allowed' : 'Denied'} />{' '}
          {answer.result.policyIds.length > 0 ? `by ${answer.result.policyIds.join(', ')}` : answer.result.decision === 'deny' ? 'no policy permits it' : ''}
          {answer.result.errors.length > 0 ? ` (errors: ${answer.result.errors.join('; ')})` : ''}
        </p>
      )}
    </section>
  );
}

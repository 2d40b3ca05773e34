import { useState, type ReactNode, type SubmitEvent } from 'react';
import type { OrgTokenCreated, OrgTokenRequest, OrgTokenRevoked, OrgTokensReply } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, Pill } from '../components.js';
import { useAction, useApi, useResource } from '../hooks.js';
import { OrgError, OrgFrame, orgPath, shortTime, type OrgLogin } from './org-frame.js';

type TokenScope = OrgTokenRequest['scopes'][number];
type TokenInfo = OrgTokensReply['tokens'][number];

const SCOPES: readonly { readonly scope: TokenScope; readonly what: string }[] = [
  { scope: 'read', what: 'read the org and its skills' },
  { scope: 'publish', what: 'also publish, yank and deprecate' },
  { scope: 'report', what: 'also report a device’s state' },
  { scope: 'admin', what: 'everything your role allows' },
];

export function OrgTokensPage(): ReactNode {
  return <OrgFrame tab="/org/tokens">{(login) => <Tokens login={login} />}</OrgFrame>;
}

function Tokens(props: { readonly login: OrgLogin }): ReactNode {
  const { login } = props;
  const tokens = useResource<OrgTokensReply>(orgPath(login, '/tokens'));
  const reply = tokens.data;
  return (
    <>
      <CreateToken login={login} onCreated={tokens.reload} />
      {reply === undefined ? tokens.error === undefined ? <Loading /> : <OrgError error={tokens.error} login={login} what="A token lists and makes only tokens within its own scopes." /> : (
        <>
          {reply.more ? <p className="muted">The first {reply.tokens.length} tokens.</p> : null}
          <table className="table" aria-label="Tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">User</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="muted">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {reply.tokens.map((token) => (
                <tr key={token.id} data-token={token.name}>
                  <th scope="row">{token.name}</th>
                  <td>{token.user}</td>
                  <td>{token.scopes.join(', ')}</td>
                  <td className="nowrap">{shortTime(token.createdAt)}</td>
                  <td className="nowrap">{shortTime(token.expiresAt)}</td>
                  <td className="nowrap">{shortTime(token.lastUsedAt)}</td>
                  <td>{token.id === reply.current ? <Pill value="ok" label="this login" /> : <Revoke login={login} token={token} onRevoked={tokens.reload} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">The token this machine is logged in with is not revoked from here: <code>skillsync logout</code> forgets it on this machine.</p>
        </>
      )}
    </>
  );
}

/** A new token of your own: shown once, here, and nowhere else (the registry keeps only its hash). */
function CreateToken(props: { readonly login: OrgLogin; readonly onCreated: () => void }): ReactNode {
  const api = useApi();
  const action = useAction<OrgTokenCreated>();
  const [form, setForm] = useState<{ name: string; scopes: readonly TokenScope[]; days: string }>({ name: '', scopes: ['read'], days: '90' });
  const [created, setCreated] = useState<OrgTokenCreated | undefined>(undefined);
  const toggle = (scope: TokenScope): void => {
    setForm({ ...form, scopes: form.scopes.includes(scope) ? form.scopes.filter((known) => known !== scope) : [...form.scopes, scope] });
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const request: OrgTokenRequest = { name: form.name.trim(), scopes: form.scopes, days: Number(form.days) };
    action.run(async () => {
      const token = await api.post<OrgTokenCreated>(orgPath(props.login, '/tokens'), request);
      setCreated(token);
      setForm({ ...form, name: '' });
      props.onCreated();
      return token;
    });
  };
  return (
    <section className="panel" aria-labelledby="new-token">
      <h2 id="new-token">New token</h2>
      {created === undefined ? null : (
        <div className="note note-good" role="status" aria-label="New token">
          <p>
            <strong>Token {created.name} created</strong>, valid until {shortTime(created.expiresAt)} UTC. Copy it now: it is shown this once, and nobody can read it again.
          </p>
          <code className="token-once">{created.token}</code>
          <p>
            <button type="button" onClick={() => { setCreated(undefined); }}>
              I have copied it
            </button>
          </p>
        </div>
      )}
      <form className="form-grid" onSubmit={onSubmit}>
        <label htmlFor="token-name">Name</label>
        <input id="token-name" required maxLength={100} value={form.name} placeholder="ci, laptop…" onChange={(event) => { setForm({ ...form, name: event.target.value }); }} />
        <span className="label">Scopes</span>
        <fieldset className="checks" aria-label="Scopes">
          {SCOPES.map(({ scope, what }) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={form.scopes.includes(scope)} onChange={() => { toggle(scope); }} /> {scope} <span className="muted">— {what}</span>
            </label>
          ))}
        </fieldset>
        <label htmlFor="token-days">Valid for (days)</label>
        <input id="token-days" type="number" min={1} max={366} required value={form.days} onChange={(event) => { setForm({ ...form, days: event.target.value }); }} />
        <button type="submit" className="primary" disabled={action.busy || form.scopes.length === 0}>
          {action.busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <ErrorNote error={action.error} title="The token was not created" />
    </section>
  );
}

/** Revoke, asked once more before it is done. */
function Revoke(props: { readonly login: OrgLogin; readonly token: TokenInfo; readonly onRevoked: () => void }): ReactNode {
  const api = useApi();
  const action = useAction<OrgTokenRevoked>();
  const [armed, setArmed] = useState(false);
  const { token } = props;
  const revoke = (): void => {
    action.run(async () => {
      const reply = await api.post<OrgTokenRevoked>(orgPath(props.login, `/tokens/${encodeURIComponent(token.id)}/revoke`), {});
      props.onRevoked();
      return reply;
    });
  };
  if (!armed) {
    return (
      <button type="button" onClick={() => { setArmed(true); }}>
        Revoke…
      </button>
    );
  }
  return (
    <div className="actions">
      <button type="button" className="primary" disabled={action.busy} onClick={revoke}>
        {action.busy ? 'Revoking…' : `Revoke ${token.name}`}
      </button>
      <button type="button" onClick={() => { setArmed(false); }}>
        Cancel
      </button>
      <ErrorNote error={action.error} />
    </div>
  );
}

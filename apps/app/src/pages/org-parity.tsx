import type { ReactNode } from 'react';
import type { OrgParityReply } from '../../../cli/src/daemon/http/api-types.js';
import { Loading, Pill } from '../components.js';
import { useResource } from '../hooks.js';
import { OrgError, OrgFrame, orgPath, shortTime, type OrgLogin } from './org-frame.js';

const STATES = ['current', 'behind', 'drifted', 'blocked', 'unknown'] as const;

export function OrgParityPage(): ReactNode {
  return <OrgFrame tab="/org">{(login) => <Parity login={login} />}</OrgFrame>;
}

/** Members × their state against the org's profiles, from what their daemons last reported. */
function Parity(props: { readonly login: OrgLogin }): ReactNode {
  const { login } = props;
  const parity = useResource<OrgParityReply>(orgPath(login, '/parity'));
  const reply = parity.data;
  return (
    <>
      {login.settings?.reporting === false ? <ReportingOff login={login} /> : null}
      {reply === undefined ? parity.error === undefined ? <Loading /> : <OrgError error={parity.error} login={login} what="Parity is for owners, admins and auditors, with a token of the admin scope." /> : (
        <>
          <ul className="chips" aria-label="Members by state">
            {STATES.map((state) => (
              <li key={state}>
                <Pill value={state} /> {reply.members.filter((row) => row.state === state).length}
              </li>
            ))}
          </ul>
          {reply.more ? <p className="muted">The first {reply.members.length} members.</p> : null}
          <table className="table" aria-label="Parity">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">State</th>
                <th scope="col">Reported (UTC)</th>
                <th scope="col">Devices</th>
                <th scope="col">Blocked</th>
                <th scope="col">Behind</th>
                <th scope="col">Missing</th>
                <th scope="col">Drift</th>
              </tr>
            </thead>
            <tbody>
              {reply.members.map((row) => (
                <tr key={row.user} data-member={row.user}>
                  <th scope="row">{row.user}</th>
                  <td>
                    <Pill value={row.state} />
                  </td>
                  <td className="nowrap">{row.reportedAt === undefined ? <span className="muted">never</span> : shortTime(row.reportedAt)}</td>
                  <td>{row.devices}</td>
                  <td>
                    {row.blocked.map((skill) => (
                      <div key={`${skill.name}@${skill.version}`}>
                        <code>{skill.name}</code> {skill.version} <span className="muted">(installed)</span>
                      </div>
                    ))}
                  </td>
                  <td>
                    {row.behind.map((skill) => (
                      <div key={skill.name}>
                        <code>{skill.name}</code> {skill.version} <span className="muted">(needs {skill.required})</span>
                      </div>
                    ))}
                  </td>
                  <td>
                    {row.missing.map((name) => (
                      <div key={name}>
                        <code>{name}</code>
                      </div>
                    ))}
                  </td>
                  <td>{row.drift === 0 ? <span className="muted">0</span> : <Pill value="drifted" label={`${row.drift} item${row.drift === 1 ? '' : 's'}`} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function ReportingOff(props: { readonly login: OrgLogin }): ReactNode {
  return (
    <section className="panel" aria-labelledby="reporting-off">
      <h2 id="reporting-off">Reporting is off in {props.login.org}</h2>
      <p>Members&apos; daemons do not send their state, so whether they are in parity is unknown. An owner of the org turns it on:</p>
      <pre className="wrap">{`curl -X PATCH ${props.login.address} \\\n  -H "Authorization: Bearer $OWNER_TOKEN" -H "Content-Type: application/json" \\\n  -d '{"reporting": true}'`}</pre>
      <p className="muted">Reports carry each device&apos;s clients, skill versions and drift counts, never file contents or secrets.</p>
    </section>
  );
}

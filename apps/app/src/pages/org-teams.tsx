import type { ReactNode } from 'react';
import type { OrgMembersReply, OrgTeamsReply } from '../../../cli/src/daemon/http/api-types.js';
import { Loading } from '../components.js';
import { useResource } from '../hooks.js';
import { OrgError, OrgFrame, orgPath, type OrgLogin } from './org-frame.js';

export function OrgTeamsPage(): ReactNode {
  return <OrgFrame tab="/org/teams">{(login) => <Teams login={login} />}</OrgFrame>;
}

/** The org's teams with their members' team roles, then every member with their org role. */
function Teams(props: { readonly login: OrgLogin }): ReactNode {
  const { login } = props;
  const teams = useResource<OrgTeamsReply>(orgPath(login, '/teams'));
  const members = useResource<OrgMembersReply>(orgPath(login, '/members'));
  return (
    <>
      <section aria-labelledby="org-teams">
        <h2 id="org-teams" className="section-title">
          Teams
        </h2>
        {teams.data === undefined ? teams.error === undefined ? <Loading /> : <OrgError error={teams.error} login={login} what="Reading teams needs the read scope." /> : teams.data.teams.length === 0 ? (
          <p className="note">{login.org} has no teams yet. An admin creates them (POST /orgs/{login.org}/teams); team roles apply to what the team owns.</p>
        ) : (
          <ul className="cards" aria-label="Teams">
            {teams.data.teams.map((team) => (
              <li key={team.team} className="card" data-team={team.team}>
                <div className="card-head">
                  <h3>{team.team}</h3>
                  <span className="muted">
                    {team.members.length}
                    {team.more ? '+' : ''} member{team.members.length === 1 ? '' : 's'}
                  </span>
                </div>
                {team.description === undefined ? null : <p className="muted">{team.description}</p>}
                {team.members.length === 0 ? (
                  <p className="muted">No members.</p>
                ) : (
                  <ul className="stack">
                    {team.members.map((member) => (
                      <li key={member.user}>
                        {member.user} <span className="muted">· {member.role}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="org-members">
        <h2 id="org-members" className="section-title">
          Members
        </h2>
        {members.data === undefined ? members.error === undefined ? <Loading /> : <OrgError error={members.error} login={login} what="Reading members needs the read scope." /> : (
          <>
            {members.data.more ? <p className="muted">The first {members.data.members.length} members.</p> : null}
            <table className="table" aria-label="Members">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Org role</th>
                  <th scope="col">Teams</th>
                </tr>
              </thead>
              <tbody>
                {members.data.members.map((member) => (
                  <tr key={member.user} data-member={member.user}>
                    <th scope="row">{member.user}</th>
                    <td>{member.role}</td>
                    <td>
                      {(teams.data?.teams ?? [])
                        .flatMap((team) => team.members.filter((entry) => entry.user === member.user).map((entry) => `${team.team} (${entry.role})`))
                        .join(', ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

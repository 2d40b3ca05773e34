import { useState, type ReactNode, type SubmitEvent } from 'react';
import type { OrgSkillReply, OrgSkillsReply, OrgVersionStatusReply, OrgVersionStatusRequest } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, Pill } from '../components.js';
import { useAction, useApi, useResource } from '../hooks.js';
import { mayManagePackage } from '../org-roles.js';
import { OrgError, OrgFrame, orgPath, shortTime, type OrgLogin } from './org-frame.js';

type VersionSummary = OrgSkillReply['versions'][number];
type StatusChange = 'yank' | 'deprecate';

export function OrgSkillsPage(): ReactNode {
  return <OrgFrame tab="/org/skills">{(login) => <Skills login={login} />}</OrgFrame>;
}

function Skills(props: { readonly login: OrgLogin }): ReactNode {
  const { login } = props;
  const skills = useResource<OrgSkillsReply>(orgPath(login, '/skills'));
  const reply = skills.data;
  if (reply === undefined) return skills.error === undefined ? <Loading /> : <OrgError error={skills.error} login={login} what="Reading the org's skills needs the read scope." />;
  if (reply.skills.length === 0) {
    return (
      <p className="note">
        No skills are published in {login.org} yet. From a skill folder: <code>skillsync publish</code>.
      </p>
    );
  }
  return (
    <>
      {reply.more ? <p className="muted">The first {reply.skills.length} skills.</p> : null}
      <ul className="stack" aria-label="Org skills">
        {reply.skills.map((skill) => (
          <li key={skill.name} className="card" data-org-skill={skill.name}>
            <div className="card-head">
              <h2>{skill.name}</h2>
              <span className="muted">
                {skill.latest === undefined ? 'no release' : `latest ${skill.latest}`} · {skill.visibility === 'org' ? 'whole org' : skill.visibility} · updated {shortTime(skill.updatedAt)}
              </span>
            </div>
            <p>{skill.description}</p>
            <Versions login={login} name={skill.name} manage={mayManagePackage(login.whoami, skill.visibility)} onChange={skills.reload} />
          </li>
        ))}
      </ul>
    </>
  );
}

/** A skill's versions, read when opened, with yank and deprecate where the caller may. */
function Versions(props: { readonly login: OrgLogin; readonly name: string; readonly manage: boolean; readonly onChange: () => void }): ReactNode {
  const { login, name } = props;
  const [open, setOpen] = useState(false);
  const detail = useResource<OrgSkillReply>(open ? orgPath(login, `/skills/${encodeURIComponent(name)}`) : undefined);
  const changed = (): void => {
    detail.reload();
    props.onChange();
  };
  return (
    <>
      <button type="button" aria-expanded={open} onClick={() => { setOpen(!open); }}>
        {open ? 'Hide versions' : 'Versions'}
      </button>
      {!open ? null : detail.data === undefined ? detail.error === undefined ? <Loading /> : <OrgError error={detail.error} login={login} what="Reading this skill needs the read scope." /> : (
        <table className="table versions" aria-label={`${name} versions`}>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Published (UTC)</th>
              <th scope="col">Signed</th>
              <th scope="col">Tags</th>
              {props.manage ? <th scope="col">Change</th> : null}
            </tr>
          </thead>
          <tbody>
            {detail.data.versions.map((version) => (
              <tr key={version.version} data-version={version.version}>
                <th scope="row">{version.version}</th>
                <td>
                  <Pill value={version.status} />
                  {version.statusMessage === undefined ? null : <span className="muted">{version.statusMessage}</span>}
                </td>
                <td>
                  {shortTime(version.publishedAt)} <span className="muted">by {version.publishedBy}</span>
                </td>
                <td>{version.signed ? 'signed' : <span className="muted">no</span>}</td>
                <td>
                  {Object.entries(detail.data?.distTags ?? {})
                    .filter(([, tagged]) => tagged === version.version)
                    .map(([tag]) => (
                      <Pill key={tag} value="tag" label={tag} />
                    ))}
                </td>
                {props.manage ? (
                  <td>
                    <StatusChanges login={login} name={name} version={version} onChanged={changed} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const changeText: Readonly<Record<StatusChange, { readonly button: string; readonly warning: string }>> = {
  deprecate: { button: 'Deprecate', warning: 'It still installs, with a warning.' },
  yank: { button: 'Yank', warning: 'New installs never pick it; lockfiles that pin it still install it. A yank is final.' },
};

/** Deprecate and Yank, each asked once more (with the message installers see) before it is done. */
function StatusChanges(props: { readonly login: OrgLogin; readonly name: string; readonly version: VersionSummary; readonly onChanged: () => void }): ReactNode {
  const { login, name, version } = props;
  const api = useApi();
  const action = useAction<OrgVersionStatusReply>();
  const [asking, setAsking] = useState<StatusChange | undefined>(undefined);
  const [message, setMessage] = useState('');
  if (version.status === 'yanked') return <span className="muted">final</span>;
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    if (asking === undefined) return;
    const request: OrgVersionStatusRequest = message.trim() === '' ? {} : { message: message.trim() };
    action.run(async () => {
      const reply = await api.post<OrgVersionStatusReply>(orgPath(login, `/skills/${encodeURIComponent(name)}/versions/${encodeURIComponent(version.version)}/${asking}`), request);
      setAsking(undefined);
      setMessage('');
      props.onChanged();
      return reply;
    });
  };
  if (asking === undefined) {
    return (
      <div className="actions">
        {version.status === 'active' ? (
          <button type="button" onClick={() => { setAsking('deprecate'); }}>
            Deprecate…
          </button>
        ) : null}
        <button type="button" onClick={() => { setAsking('yank'); }}>
          Yank…
        </button>
      </div>
    );
  }
  const text = changeText[asking];
  const id = `status-message-${name}-${version.version}`;
  return (
    <form className="confirm" onSubmit={onSubmit} aria-label={`${text.button} ${version.version}`}>
      <p className="muted">{text.warning}</p>
      <label htmlFor={id}>Message</label>
      <input id={id} value={message} maxLength={500} placeholder="why, and what to use instead" onChange={(event) => { setMessage(event.target.value); }} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Working…' : `${text.button} ${version.version}`}
        </button>
        <button type="button" onClick={() => { setAsking(undefined); }}>
          Cancel
        </button>
      </div>
      <ErrorNote error={action.error} />
    </form>
  );
}

import type { ReactNode } from 'react';
import type { SkillsReply } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useDaemon, useResource } from '../hooks.js';
import { Link } from '../router.js';

export function SkillsPage(): ReactNode {
  const { revision } = useDaemon();
  const skills = useResource<SkillsReply>('/skills', revision);
  const reply = skills.data;
  return (
    <>
      <PageHeader title="Skills" actions={<Link to="/builder" className="button">New skill</Link>}>
        The skills the manifests declare: the version installed, where it comes from, newer versions and what validation says.
      </PageHeader>
      {reply === undefined ? skills.error === undefined ? <Loading /> : <ErrorNote error={skills.error} /> : <SkillTable reply={reply} />}
    </>
  );
}

function SkillTable(props: { readonly reply: SkillsReply }): ReactNode {
  const { list, outdated, validation } = props.reply;
  const findings = list.data.findings.map((finding, index) => (
    <p key={index} className={finding.severity === 'error' ? 'note note-error' : 'note'}>
      <code>{finding.code}</code> {finding.file}
      {finding.line === undefined ? '' : `:${finding.line}`}: {finding.message}
    </p>
  ));
  if (list.data.skills.length === 0) {
    return (
      <>
        {findings}
        <p className="note">
          No skills declared yet. Create one in the <Link to="/builder">Builder</Link>, or add one with <code>skillsync add &lt;source&gt;</code>.
        </p>
      </>
    );
  }
  const updates = 'data' in outdated ? outdated.data.skills : [];
  return (
    <>
      {findings}
      {'error' in outdated ? <ErrorNote error={outdated.error} title="Newer versions could not be looked up" /> : null}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Skill</th>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Update</th>
            <th scope="col">Scope</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {list.data.skills.map((skill) => {
            const update = updates.find((candidate) => candidate.name === skill.name);
            const checked = validation?.data.skills.find((candidate) => candidate.name === skill.name);
            return (
              <tr key={`${skill.scope}-${skill.name}`} data-skill={skill.name}>
                <th scope="row">
                  {skill.name}
                  {checked === undefined || checked.findings.length === 0 ? null : (
                    <ul className="findings">
                      {checked.findings.map((finding, index) => (
                        <li key={index} className={finding.severity}>
                          <code>{finding.code}</code> {finding.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </th>
                <td>{skill.locked?.version ?? '–'}</td>
                <td>
                  {skill.locked === undefined ? <Pill value="missing" label="not installed" /> : skill.inStore ? <Pill value="ok" label="installed" /> : <Pill value="error" label="missing from store" />}
                  {checked === undefined ? null : checked.ok ? <Pill value="ok" label="valid" /> : <Pill value="error" label="invalid" />}
                </td>
                <td>{update?.outdated === true ? <Pill value="outdated" label={`${update.wanted ?? update.latest ?? ''} available`} /> : <span className="muted">up to date</span>}</td>
                <td>{skill.scope}</td>
                <td>
                  <code className="wrap">{skill.specifier}</code>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

import { useState, type ReactNode, type SubmitEvent } from 'react';
import type { OrgAuditReply, OrgAuditVerifyReply } from '../../../cli/src/daemon/http/api-types.js';
import { Loading, Pill } from '../components.js';
import { useAction, useApi, useResource } from '../hooks.js';
import { OrgError, OrgFrame, orgPath, shortTime, type OrgLogin } from './org-frame.js';

/** Records a page holds: the most the registry gives at once. */
const PAGE_SIZE = 100;

const PERIODS = [
  { value: '1', label: 'the last day' },
  { value: '7', label: 'the last week' },
  { value: '30', label: 'the last 30 days' },
  { value: '', label: 'all time' },
] as const;

interface Filters {
  /** Days back, '' for all time. */
  readonly days: string;
  readonly action: string;
  readonly principal: string;
}

/** The audit query for filters, its `since` from now: made when the filters are applied, so the page asks for it once. */
function auditQuery(filters: Filters, now: number): Readonly<Record<string, string | undefined>> {
  return {
    since: filters.days === '' ? undefined : new Date(now - Number(filters.days) * 86_400_000).toISOString(),
    action: filters.action.trim(),
    principal: filters.principal.trim(),
  };
}

const initialFilters: Filters = { days: '7', action: '', principal: '' };

export function OrgAuditPage(): ReactNode {
  return <OrgFrame tab="/org/audit">{(login) => <Audit login={login} />}</OrgFrame>;
}

/** The org's admin audit log (every change made through the registry), a page at a time, and the chain's verification. */
function Audit(props: { readonly login: OrgLogin }): ReactNode {
  const { login } = props;
  const api = useApi();
  const [draft, setDraft] = useState<Filters>(initialFilters);
  const [query, setQuery] = useState(() => auditQuery(initialFilters, Date.now()));
  /** The cursors of the pages before this one (the first page has none). */
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const cursor = cursors.at(-1);
  const records = useResource<OrgAuditReply>(orgPath(login, '/audit', { ...query, cursor, limit: String(PAGE_SIZE) }));
  const verify = useAction<OrgAuditVerifyReply>();
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    setQuery(auditQuery(draft, Date.now()));
    setCursors([]);
  };
  const field = (key: keyof Filters) => ({
    id: `org-audit-${key}`,
    value: draft[key],
    onChange: (event: { target: { value: string } }) => {
      setDraft({ ...draft, [key]: event.target.value });
    },
  });
  const reply = records.data;
  return (
    <>
      <div className="actions section-actions">
        <button type="button" disabled={verify.busy} onClick={() => { verify.run(() => api.get<OrgAuditVerifyReply>(orgPath(login, '/audit/verify'))); }}>
          {verify.busy ? 'Verifying…' : 'Verify the chain'}
        </button>
      </div>
      {verify.error === undefined ? null : <OrgError error={verify.error} login={login} what="The audit log is for owners, admins and auditors, with a token of the admin scope." />}
      {verify.result === undefined ? null : <VerifyNote reply={verify.result} />}
      <form className="filters" onSubmit={onSubmit} aria-label="Filter the org audit log">
        <label htmlFor="org-audit-days">Since</label>
        <select {...field('days')}>
          {PERIODS.map((period) => (
            <option key={period.value} value={period.value}>
              {period.label}
            </option>
          ))}
        </select>
        <label htmlFor="org-audit-action">Action</label>
        <input {...field('action')} placeholder="any, e.g. createToken" />
        <label htmlFor="org-audit-principal">User</label>
        <input {...field('principal')} placeholder="any" />
        <button type="submit">Filter</button>
      </form>
      {reply === undefined ? records.error === undefined ? <Loading /> : <OrgError error={records.error} login={login} what="The audit log is for owners, admins and auditors, with a token of the admin scope." /> : reply.records.length === 0 ? (
        <p className="note">No admin records {cursor === undefined ? 'match these filters' : 'after these'}. Every change made through the registry (publish, yank, roles, tokens, profiles) is recorded here.</p>
      ) : (
        <>
          <table className="table" aria-label="Org audit records">
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Decision</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {reply.records.map((record) => (
                <tr key={record.seq} data-seq={record.seq}>
                  <td>{record.seq}</td>
                  <td className="nowrap">{shortTime(record.time)}</td>
                  <td>{record.principal}</td>
                  <td>{record.action}</td>
                  <td className="wrap">{record.target}</td>
                  <td>
                    <Pill value={record.decision} />
                  </td>
                  <td>
                    <Pill value={record.outcome} />
                  </td>
                  <td className="wrap">{record.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions pager">
            <button type="button" disabled={cursors.length === 0} onClick={() => { setCursors(cursors.slice(0, -1)); }}>
              Earlier page
            </button>
            <button type="button" disabled={reply.nextCursor === undefined} onClick={() => { if (reply.nextCursor !== undefined) setCursors([...cursors, reply.nextCursor]); }}>
              Later page
            </button>
          </div>
        </>
      )}
    </>
  );
}

function VerifyNote(props: { readonly reply: OrgAuditVerifyReply }): ReactNode {
  const { reply } = props;
  if (!reply.ok) {
    return (
      <div className="note note-error" role="alert">
        <p>
          <strong>The chain is broken</strong>
          {reply.problem === undefined ? '.' : ` at record ${reply.problem.seq} (${reply.problem.kind}).`}
        </p>
        <p className="muted">{reply.checked} records verified before it.</p>
      </div>
    );
  }
  return (
    <div className="note note-good" role="status">
      <p>
        <strong>Verified:</strong> the server&apos;s whole chain, {reply.checked} record{reply.checked === 1 ? '' : 's'} of every org, none edited, deleted or reordered.
      </p>
      <p className="muted wrap">
        Head: seq {reply.head.seq} <code>{reply.head.hash}</code>
      </p>
      {reply.anchor === undefined || reply.anchor.pruned === 0 ? null : (
        <p className="muted wrap">
          {reply.anchor.pruned} older record{reply.anchor.pruned === 1 ? ' was' : 's were'} pruned{reply.anchor.time === undefined ? '' : ` (up to ${shortTime(reply.anchor.time)} UTC)`}: verification starts from the last of them, seq {reply.anchor.seq} <code>{reply.anchor.hash}</code>.
        </p>
      )}
    </div>
  );
}

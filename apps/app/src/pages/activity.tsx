import { useState, type SubmitEvent, type ReactNode } from 'react';
import type { AuditListData, AuditVerifyData, CommandReply } from '../../../cli/src/daemon/http/api-types.js';
import { ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useAction, useApi, useDaemon, useResource } from '../hooks.js';

/** The query parameters of `/api/audit`, as typed in the form ('' = not filtered). */
type Filters = Readonly<Record<'since' | 'client' | 'connector' | 'decision' | 'limit', string>>;

const initialFilters: Filters = { since: '24h', client: '', connector: '', decision: '', limit: '100' };

/** The audit query for filters: empty fields left out. Pure. */
function auditQuery(filters: Filters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== '') query.set(key, value);
  const text = query.toString();
  return text === '' ? '/audit' : `/audit?${text}`;
}

export function ActivityPage(): ReactNode {
  const api = useApi();
  const { revision } = useDaemon();
  const [draft, setDraft] = useState<Filters>(initialFilters);
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const records = useResource<CommandReply<AuditListData>>(auditQuery(filters), revision);
  const verify = useAction<CommandReply<AuditVerifyData>>();
  const field = (key: keyof Filters) => ({
    id: `filter-${key}`,
    value: draft[key],
    onChange: (event: { target: { value: string } }) => {
      setDraft({ ...draft, [key]: event.target.value });
    },
  });
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    setFilters(draft);
  };
  const data = records.data?.data;
  return (
    <>
      <PageHeader
        title="Activity"
        actions={
          <button type="button" disabled={verify.busy} onClick={() => { verify.run(() => api.get<CommandReply<AuditVerifyData>>('/audit/verify')); }}>
            {verify.busy ? 'Verifying…' : 'Verify the chain'}
          </button>
        }
      >
        The gateway&apos;s audit log: who called which tool, from which client, and whether the policies allowed it. Times are UTC.
      </PageHeader>
      <ErrorNote error={verify.error} title="The chain could not be verified" />
      {verify.result === undefined ? null : <VerifyNote reply={verify.result} />}
      <form className="filters" onSubmit={onSubmit} aria-label="Filter the audit log">
        <label htmlFor="filter-since">Since</label>
        <select {...field('since')}>
          <option value="1h">the last hour</option>
          <option value="24h">the last day</option>
          <option value="7d">the last week</option>
          <option value="30d">the last 30 days</option>
          <option value="">all time</option>
        </select>
        <label htmlFor="filter-client">Client</label>
        <input {...field('client')} placeholder="any" />
        <label htmlFor="filter-connector">Connector</label>
        <input {...field('connector')} placeholder="any" />
        <label htmlFor="filter-decision">Decision</label>
        <select {...field('decision')}>
          <option value="">any</option>
          <option value="allow">allowed</option>
          <option value="deny">denied</option>
        </select>
        <label htmlFor="filter-limit">Show</label>
        <input {...field('limit')} inputMode="numeric" size={5} />
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={records.error} title="The audit log could not be read" />
      {data === undefined ? records.error === undefined ? <Loading /> : null : data.records.length === 0 ? (
        <p className="note">{data.filtered ? 'No records match these filters.' : 'The audit log is empty: calls through the gateway show up here.'}</p>
      ) : (
        <>
          <p className="muted">
            {data.records.length < data.matching ? `The last ${data.records.length} of ${data.matching} matching records.` : `${data.matching} record${data.matching === 1 ? '' : 's'}.`}
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Client</th>
                <th scope="col">User</th>
                <th scope="col">Connector / target</th>
                <th scope="col">Action</th>
                <th scope="col">Decision</th>
                <th scope="col">Outcome</th>
                <th scope="col">Latency</th>
              </tr>
            </thead>
            <tbody>
              {data.records.map((record) => (
                <tr key={record.seq}>
                  <td>{record.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}</td>
                  <td>{record.client}</td>
                  <td>{record.principal}</td>
                  <td>{[record.connector, record.target].filter((part) => part !== undefined).join(' / ')}</td>
                  <td>{record.action}</td>
                  <td>
                    <Pill value={record.decision} />
                  </td>
                  <td>
                    <Pill value={record.outcome} />
                  </td>
                  <td>{record.latencyMs === undefined ? '' : `${Math.round(record.latencyMs)} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function VerifyNote(props: { readonly reply: CommandReply<AuditVerifyData> }): ReactNode {
  const { data } = props.reply;
  if (data.problem !== undefined) {
    return (
      <div className="note note-error" role="alert">
        <p>
          <strong>The chain is broken</strong> at record {data.problem.seq} ({data.problem.kind}): {data.problem.message}
        </p>
        <p className="muted">{data.checked} records verified before it.</p>
      </div>
    );
  }
  return (
    <div className="note note-good" role="status">
      <p>
        <strong>Verified:</strong> {data.checked} record{data.checked === 1 ? '' : 's'}, none edited, deleted or reordered.
      </p>
      <p className="muted wrap">
        Head: seq {data.head.seq} <code>{data.head.hash}</code>
      </p>
    </div>
  );
}

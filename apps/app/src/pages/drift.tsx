import type { ReactNode } from 'react';
import type { AdoptReply, AdoptRequest, DaemonStatus, DriftEntry, DriftReply, RepairRequest, SyncRunSummary } from '../../../cli/src/daemon/http/api-types.js';
import { DiffView, ErrorNote, Loading, PageHeader, Pill } from '../components.js';
import { useAction, useApi, useDaemon, useResource } from '../hooks.js';

type DaemonDrift = DaemonStatus['drift'][number];

/** What both the daemon's item and the report's entry say about a drifted item. */
type DriftShown = Pick<DaemonDrift, 'scope' | 'client' | 'kind' | 'name' | 'status'> & { readonly path?: string | undefined };

const keyOf = (item: DriftShown): string => `${item.scope}|${item.client}|${item.kind}|${item.name}`;

/**
 * The drifted items as the daemon sees them (live, from its events), each with the diff
 * a sync would write (fetched again whenever the drift changes). An item the daemon has
 * just seen shows at once, its diff a moment later.
 */
export function DriftPage(): ReactNode {
  const { status, revision } = useDaemon();
  const report = useResource<DriftReply>('/drift', revision);
  const details = new Map((report.data?.items ?? []).map((item) => [keyOf(item), item]));
  const rows: { key: string; shown: DriftShown; item?: DaemonDrift; entry?: DriftEntry }[] = (status?.drift ?? []).map((item) => ({ key: keyOf(item), shown: item, item, entry: details.get(keyOf(item)) }));
  // What `status` reports and the daemon has not (yet) seen, such as a manifest edit it is still settling.
  for (const [key, entry] of details) if (!rows.some((row) => row.key === key)) rows.push({ key, shown: entry, entry });
  return (
    <>
      <PageHeader title="Drift">Items a client no longer has as the manifests say: what changed, and Repair (put ours back) or Adopt (take the client&apos;s).</PageHeader>
      <ErrorNote error={report.error} title="The diffs could not be read" />
      {report.data?.problems.map((problem) => (
        <p key={problem.path} className="note note-error">
          <code>{problem.code}</code> {problem.client}: {problem.path}
          {problem.line === undefined ? '' : `:${problem.line}`} {problem.message} (left untouched until it parses)
        </p>
      ))}
      {rows.length === 0 ? (
        status === undefined && report.loading ? <Loading /> : <p className="note note-good" role="status">No drift: every client has what the manifests say.</p>
      ) : (
        <ul className="stack" aria-label="Drifted items">
          {rows.map((row) => (
            <DriftCard key={row.key} shown={row.shown} item={row.item} entry={row.entry} loadingDiff={report.loading} />
          ))}
        </ul>
      )}
    </>
  );
}

function DriftCard(props: { readonly shown: DriftShown; readonly item: DaemonDrift | undefined; readonly entry: DriftEntry | undefined; readonly loadingDiff: boolean }): ReactNode {
  const api = useApi();
  const repair = useAction<SyncRunSummary>();
  const adopt = useAction<AdoptReply>();
  const { shown, entry } = props;
  const busy = repair.busy || adopt.busy;
  return (
    <li className="card" data-drift={`${shown.client}/${shown.kind}/${shown.name}`}>
      <div className="card-head">
        <h2>
          {shown.client} · {shown.kind} <strong>{shown.name}</strong>
        </h2>
        <span>
          <Pill value={shown.status} />
          {props.item === undefined ? null : <Pill value={props.item.handling} />}
        </span>
      </div>
      {shown.path === undefined ? null : <p className="muted wrap">{shown.path}</p>}
      {entry === undefined ? props.loadingDiff ? <Loading label="Reading the diff…" /> : null : <DriftDetail entry={entry} />}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => { repair.run(() => api.post<SyncRunSummary>('/drift/repair', { client: shown.client } satisfies RepairRequest)); }}>
          {repair.busy ? 'Repairing…' : 'Repair'}
        </button>
        {entry?.adoptable === true ? (
          <button type="button" disabled={busy} onClick={() => { adopt.run(() => api.post<AdoptReply>('/drift/adopt', { scope: shown.scope, client: shown.client, name: shown.name } satisfies AdoptRequest)); }}>
            {adopt.busy ? 'Adopting…' : `Adopt ${shown.client}’s version`}
          </button>
        ) : null}
      </div>
      {entry?.adoptable === false ? <p className="muted">Adopt: {entry.whyNot}</p> : null}
      <ErrorNote error={repair.error} title="Repair failed" />
      <ErrorNote error={adopt.error} title="Adopt failed" />
      {repair.result === undefined ? null : <RunNote run={repair.result} />}
      {adopt.result === undefined ? null : adopt.result.adopted ? (
        <p className="note note-good" role="status">
          Adopted into {adopt.result.manifest}.{adopt.result.secrets.length > 0 ? ` Credentials stored as ${adopt.result.secrets.join(', ')}.` : ''}
        </p>
      ) : (
        <p className="note" role="status">
          Not adopted: {adopt.result.reason}
        </p>
      )}
    </li>
  );
}

function DriftDetail(props: { readonly entry: DriftEntry }): ReactNode {
  const { entry } = props;
  if (entry.diff.length > 0) return <DiffView lines={entry.diff} />;
  if (entry.folderAction !== undefined) return <p>A sync {entry.folderAction === 'write' ? 'writes the skill folder again' : 'removes the skill folder'}.</p>;
  return entry.detail === undefined ? null : <p className="muted">{entry.detail}</p>;
}

function RunNote(props: { readonly run: SyncRunSummary }): ReactNode {
  const { run } = props;
  return (
    <p className={run.ok ? 'note note-good' : 'note note-error'} role="status">
      {run.ok ? `Repaired: ${run.written} file${run.written === 1 ? '' : 's'} written.` : `The sync did not finish: ${run.message ?? 'see the daemon log'}.`}
    </p>
  );
}

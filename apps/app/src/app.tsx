import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { DaemonEvent, DaemonStatus, SyncRequest, SyncRunSummary } from '../../cli/src/daemon/http/api-types.js';
import { activeDrift } from '../../cli/src/daemon/drift-summary.js';
import { createApiClient } from './api-client.js';
import { ErrorNote, Pill } from './components.js';
import { followDaemonEvents, type StreamState } from './daemon-events.js';
import { ApiContext, DaemonContext, useAction, useApi, useDaemon, type DaemonView } from './hooks.js';
import { ActivityPage } from './pages/activity.js';
import { BuilderPage } from './pages/builder.js';
import { ConnectorsPage } from './pages/connectors.js';
import { DriftPage } from './pages/drift.js';
import { OrgAuditPage } from './pages/org-audit.js';
import { OrgParityPage } from './pages/org-parity.js';
import { OrgSkillsPage } from './pages/org-skills.js';
import { OrgTeamsPage } from './pages/org-teams.js';
import { OrgTokensPage } from './pages/org-tokens.js';
import { OverviewPage } from './pages/overview.js';
import { PoliciesPage } from './pages/policies.js';
import { SkillsPage } from './pages/skills.js';
import { Link, PAGES, sectionOf, useCurrentPage, type PagePath } from './router.js';

const pageComponents: Readonly<Record<PagePath, () => ReactNode>> = {
  '/': OverviewPage,
  '/skills': SkillsPage,
  '/connectors': ConnectorsPage,
  '/drift': DriftPage,
  '/activity': ActivityPage,
  '/policies': PoliciesPage,
  '/builder': BuilderPage,
  '/org': OrgParityPage,
  '/org/skills': OrgSkillsPage,
  '/org/teams': OrgTeamsPage,
  '/org/tokens': OrgTokensPage,
  '/org/audit': OrgAuditPage,
};

export function App(props: { readonly token: string | undefined }): ReactNode {
  const api = useMemo(() => (props.token === undefined ? undefined : createApiClient(props.token)), [props.token]);
  if (api === undefined) return <NoToken />;
  return (
    <ApiContext.Provider value={api}>
      <DaemonProvider>
        <Shell />
      </DaemonProvider>
    </ApiContext.Provider>
  );
}

/** What on disk a status event tells has changed: a new value means the pages fetch again. */
function fileStateOf(status: DaemonStatus): string {
  return JSON.stringify([status.health, status.drift, status.lastSync?.at, status.error?.code]);
}

function DaemonProvider(props: { readonly children: ReactNode }): ReactNode {
  const api = useApi();
  const [view, setView] = useState<DaemonView>({ status: undefined, stream: 'connecting', revision: 0 });
  useEffect(() => {
    let fileState = '';
    const onEvent = (event: DaemonEvent): void => {
      if (event.type === 'status') {
        const next = fileStateOf(event.status);
        // The first status only says what the pages fetched already.
        const changed = fileState !== '' && next !== fileState;
        fileState = next;
        setView((previous) => ({ ...previous, status: event.status, revision: previous.revision + (changed ? 1 : 0) }));
      } else if (event.type === 'synced') {
        setView((previous) => ({ ...previous, revision: previous.revision + 1 }));
      }
    };
    const onState = (stream: StreamState): void => {
      setView((previous) => ({ ...previous, stream }));
    };
    return followDaemonEvents(api, { onEvent, onState });
  }, [api]);
  return <DaemonContext.Provider value={view}>{props.children}</DaemonContext.Provider>;
}

function Shell(): ReactNode {
  const page = useCurrentPage();
  const { status, stream } = useDaemon();
  const Page = pageComponents[page];
  const driftCount = status === undefined ? 0 : activeDrift(status.drift).length;
  if (stream === 'unauthorized') return <NoToken expired />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">skillsync</div>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((entry) => (
              <li key={entry.path}>
                <Link to={entry.path} current={entry.path === sectionOf(page)} className="nav-link">
                  {entry.label}
                  {entry.path === '/drift' && driftCount > 0 ? (
                    <span className="count" aria-label={`${driftCount} drifted`}>
                      {driftCount}
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="content">
        <DaemonBar />
        <main id="main" tabIndex={-1}>
          <Page />
        </main>
      </div>
    </div>
  );
}

const healthText: Readonly<Record<DaemonStatus['health'], string>> = {
  starting: 'Starting',
  'in-sync': 'In sync',
  drift: 'Drift',
  error: 'Error',
  paused: 'Paused',
  unconfigured: 'Not configured',
};

/** The daemon at a glance, on every page: its state, the last sync, and Pause, Resume and Sync now. */
function DaemonBar(): ReactNode {
  const api = useApi();
  const { status, stream } = useDaemon();
  const action = useAction<DaemonStatus | SyncRunSummary>();
  return (
    <div className="daemon-bar" aria-label="Daemon">
      <div className="daemon-state" aria-live="polite">
        {status === undefined ? <Pill value="starting" label={stream === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'} /> : <Pill value={status.health} label={healthText[status.health]} />}
        {stream === 'reconnecting' && status !== undefined ? <span className="muted">connection lost, reconnecting…</span> : null}
        {status?.lastSync === undefined ? null : (
          <span className="muted">
            last sync {new Date(status.lastSync.at).toLocaleTimeString()} ({status.lastSync.trigger}){status.lastSync.ok ? '' : ' failed'}
          </span>
        )}
        {status?.error === undefined ? null : (
          <span className="error-text">
            <code>{status.error.code}</code> {status.error.message}
          </span>
        )}
      </div>
      <div className="actions">
        {status?.paused === true ? (
          <button type="button" disabled={action.busy} onClick={() => { action.run(() => api.post<DaemonStatus>('/daemon/resume', {})); }}>
            Resume watching
          </button>
        ) : (
          <button type="button" disabled={action.busy || status === undefined} onClick={() => { action.run(() => api.post<DaemonStatus>('/daemon/pause', {})); }}>
            Pause watching
          </button>
        )}
        <button type="button" className="primary" disabled={action.busy || status === undefined} onClick={() => { action.run(() => api.post<SyncRunSummary>('/daemon/sync', {} satisfies SyncRequest)); }}>
          {action.busy ? 'Working…' : 'Sync now'}
        </button>
      </div>
      <ErrorNote error={action.error} />
    </div>
  );
}

function NoToken(props: { readonly expired?: boolean }): ReactNode {
  return (
    <main className="no-token">
      <h1>skillsync</h1>
      <p>
        {props.expired === true
          ? 'This page holds the token of an earlier start of the daemon.'
          : 'This address carries no token, so the dashboard cannot talk to the daemon.'}
      </p>
      <p>
        Open the dashboard from <code>skillsync up</code> (it prints and opens the address) or from the tray icon&apos;s <em>Open dashboard</em>.
      </p>
    </main>
  );
}

import { Fragment, useState, type ReactNode } from 'react';
import type { OrgRegistry, OrgReply } from '../../../cli/src/daemon/http/api-types.js';
import { ApiError } from '../api-client.js';
import { ErrorNote, Loading, PageHeader } from '../components.js';
import { useResource } from '../hooks.js';
import { Link, ORG_PAGES, type PagePath } from '../router.js';

/** A login whose registry answered: who the token speaks for is known. */
export type OrgLogin = OrgRegistry & { readonly whoami: NonNullable<OrgRegistry['whoami']> };

/** Which registry the Org pages show, for this tab: it stays chosen from one Org page to the next. */
const CHOSEN_KEY = 'skillsync.org.registry';

/** `/org<route>?registry=…&…`: every Org call names its registry, so the daemon never guesses. */
export function orgPath(login: OrgLogin, route: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const search = new URLSearchParams({ registry: login.address });
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, value);
  return `/org${route}?${search.toString()}`;
}

/**
 * The frame of every Org page: the registries this user is logged in to (a choice when
 * there are several), who they are there, and the tabs. The tab's content gets the
 * chosen login once its registry has answered; without a login, it says how to log in.
 */
export function OrgFrame(props: { readonly tab: PagePath; readonly children: (login: OrgLogin) => ReactNode }): ReactNode {
  const org = useResource<OrgReply>('/org');
  const [chosen, setChosen] = useState(() => window.sessionStorage.getItem(CHOSEN_KEY) ?? undefined);
  const registries = org.data?.registries ?? [];
  const current = registries.find((registry) => registry.address === chosen) ?? registries[0];
  const choose = (address: string): void => {
    window.sessionStorage.setItem(CHOSEN_KEY, address);
    setChosen(address);
  };
  const picker =
    registries.length > 1 ? (
      <>
        <label htmlFor="org-registry">Registry</label>
        <select id="org-registry" value={current?.address} onChange={(event) => { choose(event.target.value); }}>
          {registries.map((registry) => (
            <option key={registry.address} value={registry.address}>
              {registry.org} · {registry.address}
            </option>
          ))}
        </select>
      </>
    ) : undefined;
  return (
    <>
      <PageHeader title="Org" actions={picker}>
        {current === undefined ? "Your org's registry: who is in parity, its skills, teams, tokens and admin audit log." : <Identity registry={current} />}
      </PageHeader>
      <nav className="tabs" aria-label="Org pages">
        {ORG_PAGES.map((tab) => (
          <Link key={tab.path} to={tab.path} current={tab.path === props.tab}>
            {tab.label}
          </Link>
        ))}
      </nav>
      {org.data === undefined ? org.error === undefined ? <Loading /> : <ErrorNote error={org.error} /> : null}
      {org.data !== undefined && current === undefined ? <NotLoggedIn /> : null}
      {current?.error === undefined ? null : <ErrorNote error={current.error} title={`${current.address} did not answer`} />}
      {/* Keyed by registry: a tab's state (data read, forms, cursors) never carries over to another registry. */}
      {current?.whoami === undefined ? null : <Fragment key={current.address}>{props.children({ ...current, whoami: current.whoami })}</Fragment>}
    </>
  );
}

function Identity(props: { readonly registry: OrgRegistry }): ReactNode {
  const { registry } = props;
  const who = registry.whoami;
  const teams = who?.teams.map((team) => `${team.team} (${team.role})`).join(', ') ?? '';
  return (
    <>
      <strong>{registry.org}</strong> at <code className="wrap">{registry.address}</code>
      {who === undefined ? (
        ` · logged in as ${registry.user}`
      ) : (
        <>
          {' '}
          · you are <strong>{who.user}</strong> ({who.role}){teams === '' ? '' : `, in ${teams}`} · token <em>{who.token.name}</em> ({who.token.scopes.join(', ')})
        </>
      )}
    </>
  );
}

function NotLoggedIn(): ReactNode {
  return (
    <section className="panel" aria-labelledby="org-login">
      <h2 id="org-login">You are not logged in to an org registry</h2>
      <p>Log in with the token your org admin gave you (it is kept in your secret store; this page never sees it), then reload this page:</p>
      <pre>skillsync login --registry https://skills.example.com/v0.1/orgs/&lt;org&gt;</pre>
      <p className="muted">
        Running the org server yourself? <code>skillsync server init --org &lt;org&gt; --owner &lt;you&gt;</code> makes the org and prints your first token; <code>skillsync server</code> serves it.
      </p>
    </section>
  );
}

/** A refusal of the registry: "your role does not allow this" for a 403, the failure itself otherwise. */
export function OrgError(props: { readonly error: unknown; readonly login: OrgLogin; readonly what: string }): ReactNode {
  const { error, login } = props;
  if (error instanceof ApiError && error.code === 'SERVER_FORBIDDEN') {
    return (
      <div className="note" role="alert">
        <p>
          <strong>Your role does not allow this.</strong> {props.what} As {login.whoami.role} with a token of scope {login.whoami.token.scopes.join(', ')}, you may not.
        </p>
        <p className="muted">{error.message}</p>
      </div>
    );
  }
  return <ErrorNote error={error} />;
}

/** `2026-01-02 03:04` (UTC), or a dash. */
export function shortTime(iso: string | undefined): string {
  return iso === undefined ? '–' : iso.replace('T', ' ').replace(/:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/, '');
}

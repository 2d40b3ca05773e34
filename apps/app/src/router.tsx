import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/** The page paths, in the order the navigation lists them. */
export const PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/skills', label: 'Skills' },
  { path: '/connectors', label: 'Connectors' },
  { path: '/drift', label: 'Drift' },
  { path: '/activity', label: 'Activity' },
  { path: '/policies', label: 'Policies' },
  { path: '/builder', label: 'Builder' },
  { path: '/org', label: 'Org' },
] as const;

/** The Org page's tabs: the navigation's Org entry leads to the first. */
export const ORG_PAGES = [
  { path: '/org', label: 'Parity' },
  { path: '/org/skills', label: 'Skills' },
  { path: '/org/teams', label: 'Teams' },
  { path: '/org/tokens', label: 'Tokens' },
  { path: '/org/audit', label: 'Audit' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'] | (typeof ORG_PAGES)[number]['path'];

export function pageOf(pathname: string): PagePath {
  return [...PAGES, ...ORG_PAGES].find((page) => page.path === pathname)?.path ?? '/';
}

/** The navigation entry a page belongs to: an Org tab, to Org. */
export function sectionOf(page: PagePath): PagePath {
  return page.startsWith('/org') ? '/org' : page;
}

export function navigate(path: PagePath): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The page the address names, following back and forward. */
export function useCurrentPage(): PagePath {
  const [page, setPage] = useState(() => pageOf(window.location.pathname));
  useEffect(() => {
    const onPop = (): void => {
      setPage(pageOf(window.location.pathname));
    };
    window.addEventListener('popstate', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return page;
}

/** An ordinary link (open in a new tab works), moved within the page on a plain click. */
export function Link(props: { readonly to: PagePath; readonly children: ReactNode; readonly className?: string; readonly current?: boolean }): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} aria-current={props.current === true ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

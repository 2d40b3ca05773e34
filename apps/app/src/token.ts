/** Where the page keeps the daemon's token: for this tab only, and gone when it closes. */
export const TOKEN_KEY = 'skillsync.token';

/** The token in a URL fragment the daemon opened (`#token=…`), if there is one. */
export function tokenFromHash(hash: string): string | undefined {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return value === null || value === '' ? undefined : value;
}

/**
 * Takes the token from the address the daemon opened, keeps it in sessionStorage and
 * removes it from the address bar (and so from history and bookmarks); a reload of the
 * tab finds it in sessionStorage.
 */
export function takeToken(): string | undefined {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash !== undefined) {
    window.sessionStorage.setItem(TOKEN_KEY, fromHash);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
    return fromHash;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

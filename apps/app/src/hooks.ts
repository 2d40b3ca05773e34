import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { DaemonStatus } from '../../cli/src/daemon/http/api-types.js';
import type { ApiClient } from './api-client.js';
import type { StreamState } from './daemon-events.js';

export const ApiContext = createContext<ApiClient | undefined>(undefined);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export interface DaemonView {
  /** The daemon's latest status, as its events stream last told it. */
  readonly status: DaemonStatus | undefined;
  readonly stream: StreamState;
  /**
   * Goes up whenever what is on disk may have changed (a sync ran, the drift changed):
   * pages that show files fetch again when it moves.
   */
  readonly revision: number;
}

export const DaemonContext = createContext<DaemonView>({ status: undefined, stream: 'connecting', revision: 0 });

export function useDaemon(): DaemonView {
  return useContext(DaemonContext);
}

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  /** True while a fetch is running; the previous data stays shown meanwhile. */
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GETs `path` (undefined: nothing yet) now and again whenever `revision` moves or `reload` is called. */
export function useResource<T>(path: string | undefined, revision = 0): Resource<T> {
  const api = useApi();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: path !== undefined });
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    const abort = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    api.get<T>(path, abort.signal).then(
      (data) => {
        setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
    return () => {
      abort.abort();
    };
  }, [api, path, revision, reloads]);
  const reload = useCallback(() => {
    setReloads((count) => count + 1);
  }, []);
  return { ...state, reload };
}

export interface Action<T> {
  readonly run: (task: () => Promise<T>) => void;
  readonly busy: boolean;
  readonly error: unknown;
  readonly result: T | undefined;
}

/** A button's work: one at a time, its result or its error kept to show where it happened. */
export function useAction<T>(): Action<T> {
  const [state, setState] = useState<{ busy: boolean; error: unknown; result: T | undefined }>({ busy: false, error: undefined, result: undefined });
  const run = useCallback((task: () => Promise<T>) => {
    setState({ busy: true, error: undefined, result: undefined });
    task().then(
      (result) => {
        setState({ busy: false, error: undefined, result });
      },
      (error: unknown) => {
        setState({ busy: false, error, result: undefined });
      },
    );
  }, []);
  return { ...state, run };
}

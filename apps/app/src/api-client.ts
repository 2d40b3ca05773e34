import type { ErrorReply } from '../../cli/src/daemon/http/api-types.js';

/** A failed API call, with the server's stable code and hint. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
  /** The raw streaming request for the events stream (fetch, so the token goes in a header, never the URL). */
  stream(path: string, signal: AbortSignal): Promise<Response>;
}

/** Calls `/api/<path>` with the token as a bearer token; any non-2xx answer becomes an ApiError. */
export function createApiClient(token: string): ApiClient {
  const request = async (path: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(`/api${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      cache: 'no-store',
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  };
  return {
    get: async <T,>(path: string, signal?: AbortSignal) => (await request(path, signal === undefined ? {} : { signal })).json() as Promise<T>,
    post: async <T,>(path: string, body: unknown, signal?: AbortSignal) =>
      (await request(path, { method: 'POST', body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) })).json() as Promise<T>,
    stream: (path, signal) => request(path, { signal, headers: { Accept: 'text/event-stream' } }),
  };
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const { error } = (await response.json()) as ErrorReply;
    return new ApiError(response.status, error.code, error.message, error.hint);
  } catch {
    return new ApiError(response.status, 'HTTP_ERROR', `The daemon answered ${response.status} ${response.statusText}.`, undefined);
  }
}

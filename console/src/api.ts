// The /v1 REST API: JSON in and out, google.rpc.Status errors, the optional API key.
import type { AnyDetail, Operation, RpcStatus } from './types';

const KEY_STORAGE = 'nimbus.apiKey';

/** gRPC canonical code names, by number (google.rpc.Code). */
export const CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

export function apiKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // Private mode without storage: the key lasts as long as the page.
  }
  memoryKey = key;
  window.dispatchEvent(new CustomEvent('nimbus-key-changed'));
}

let memoryKey: string | null = null;

function currentKey(): string {
  return memoryKey ?? apiKey();
}

/** A failed call: the server's google.rpc.Status (or what the network said) and the HTTP status. */
export class ApiError extends Error {
  readonly status: RpcStatus;
  readonly httpStatus: number;

  constructor(status: RpcStatus, httpStatus: number) {
    super(status.message || CODE_NAMES[status.code ?? 2] || 'request failed');
    this.status = status;
    this.httpStatus = httpStatus;
  }

  get code(): number {
    return this.status.code ?? 2;
  }

  get codeName(): string {
    return CODE_NAMES[this.code] ?? String(this.code);
  }

  /** The `google.rpc.ErrorInfo` reason, if the server gave one. */
  get reason(): string | undefined {
    const info = this.status.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
    return info?.reason as string | undefined;
  }

  /** Seconds to wait before retrying, from `google.rpc.RetryInfo`. */
  get retryDelaySeconds(): number | undefined {
    const info = this.status.details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'));
    const delay = info?.retryDelay as string | undefined;
    return delay ? parseFloat(delay) : undefined;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Turns anything thrown into an ApiError, so that every error box shows one thing. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError({ code: 2, message }, 0);
}

const CODE_BY_HTTP: Record<number, number> = {
  400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 412: 9, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4,
};

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export function url(path: string, query?: RequestOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return `/v1/${path}${s ? `?${s}` : ''}`;
}

/** Encodes each segment of a resource name, keeping its slashes: `datasets/a b` -> `datasets/a%20b`. */
export function namePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

export function authHeaders(): Record<string, string> {
  const key = currentKey();
  return key ? { 'x-api-key': key } : {};
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url(path, options.query), {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: options.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError({ code: 14, message: `cannot reach the server (${(e as Error)?.message ?? e})` }, 0);
  }
  const text = await response.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!response.ok) {
    const status: RpcStatus =
      json && typeof json === 'object' && ('message' in json || 'code' in json)
        ? (json as RpcStatus)
        : {
          code: CODE_BY_HTTP[response.status] ?? 2,
          message: text && text.length < 500 && !text.trimStart().startsWith('<')
            ? text.trim()
            : `HTTP ${response.status} ${response.statusText}`,
        };
    const error = new ApiError(status, response.status);
    if (response.status === 401 || error.code === 16) {
      window.dispatchEvent(new CustomEvent('nimbus-unauthenticated', { detail: error.message }));
    }
    throw error;
  }
  return (json ?? {}) as T;
}

export const get = <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
  request<T>(path, { query, signal });
export const post = <T>(path: string, body: unknown = {}, query?: RequestOptions['query']) =>
  request<T>(path, { method: 'POST', body, query });
export const del = <T>(path: string) => request<T>(path, { method: 'DELETE' });
export const patch = <T>(path: string, body: unknown, query?: RequestOptions['query']) =>
  request<T>(path, { method: 'PATCH', body, query });

/** `GET /v1/operations/{id}` every `intervalMs` until done; `onUpdate` sees each state. */
export async function pollOperation(
  op: Operation,
  onUpdate: (op: Operation) => void,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<Operation> {
  let current = op;
  onUpdate(current);
  let failures = 0;
  while (!current.done) {
    await sleep(options.intervalMs ?? 700, options.signal);
    if (!current.name) break;
    try {
      current = await get<Operation>(namePath(current.name), undefined, options.signal);
      failures = 0;
    } catch (e) {
      // A blip in the network is not the operation failing: keep polling a while.
      if (isApiError(e) && (e.code === 14 || e.code === 4) && failures++ < 10) continue;
      throw e;
    }
    onUpdate(current);
  }
  return current;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The `@type`-less view of an Any detail: its short type name. */
export function detailType(d: AnyDetail): string {
  return (d['@type'] ?? '').split('/').pop() ?? '';
}

export function operationId(name: string): string {
  return name.replace(/^operations\//, '');
}

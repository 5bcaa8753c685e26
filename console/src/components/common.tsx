import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, asApiError, authHeaders, detailType, url } from '../api';
import { setQuery } from '../router';
import type { RpcStatus } from '../types';

export interface Async<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replaces the data without a request, e.g. with what a PATCH returned. */
  set: (data: T) => void;
}

/** Runs `load` when `deps` change (and on reload()); the last call wins. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, loading: false }),
      (e) => {
        if (controller.signal.aborted || (e as Error)?.name === 'AbortError') return;
        setState((s) => ({ data: s.data, error: asApiError(e), loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // A new API key may make what failed work: load again.
  useEffect(() => {
    window.addEventListener('nimbus-key-changed', reload);
    return () => window.removeEventListener('nimbus-key-changed', reload);
  }, [reload]);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}

/** Calls `fn` every `ms` while `active`. */
export function useInterval(fn: () => void, ms: number, active = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => saved.current(), ms);
    return () => clearInterval(t);
  }, [ms, active]);
}

/** The server's message, where the action was: code, message and what the details add. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = asApiError(error);
  return (
    <div class="error" role="alert">
      <strong>{title ?? 'Error'}: </strong>
      <span class="error-message">{e.message}</span>
      <span class="error-code">
        {' '}({e.codeName}{e.httpStatus ? `, HTTP ${e.httpStatus}` : ''})
      </span>
      <StatusDetails status={e.status} />
    </div>
  );
}

/** What a google.rpc.Status's details say, for people: field violations, reasons, retry delays. */
export function StatusDetails({ status }: { status: RpcStatus }) {
  const lines: string[] = [];
  const message = status.message ?? '';
  for (const d of status.details ?? []) {
    const type = detailType(d);
    if (type === 'google.rpc.BadRequest') {
      for (const v of (d.fieldViolations as { field?: string; description?: string }[]) ?? []) {
        const description = v.description ?? '';
        if (description && message.includes(description)) continue; // the message says it already
        lines.push(v.field && !description.startsWith(v.field) ? `${v.field}: ${description}` : description);
      }
    } else if (type === 'google.rpc.RetryInfo' && d.retryDelay) {
      lines.push(`retry after ${d.retryDelay}`);
    } else if (type === 'google.rpc.PreconditionFailure') {
      for (const v of (d.violations as { subject?: string; description?: string }[]) ?? []) {
        lines.push(`${v.subject ?? ''}: ${v.description ?? ''}`);
      }
    } else if (type === 'google.rpc.ResourceInfo' && d.resourceName) {
      lines.push(`resource: ${d.resourceName}`);
    }
  }
  if (lines.length === 0) return null;
  return (
    <ul class="error-details">
      {lines.map((l) => <li key={l}>{l}</li>)}
    </ul>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return <p class="loading" role="status" aria-live="polite">{label}…</p>;
}

export function ProgressBar(
  { value, max = 100, label, indeterminate }: { value: number; max?: number; label: string; indeterminate?: boolean },
) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <div
      class={`progress${indeterminate ? ' indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : Math.round(pct)}
    >
      <div class="progress-fill" style={{ width: `${indeterminate ? 100 : pct}%` }} />
    </div>
  );
}

/** Server-side paging with page tokens: Next follows next_page_token, Previous goes back the way we came. */
export function Pager(
  { pageToken, nextPageToken, onPage, total, shown }: {
    pageToken: string;
    nextPageToken?: string;
    onPage: (token: string) => void;
    total?: number;
    shown?: string;
  },
) {
  const stack = useRef<string[]>([]);
  const previous = () => {
    const token = stack.current.pop() ?? '';
    onPage(token);
  };
  const next = () => {
    stack.current.push(pageToken);
    onPage(nextPageToken ?? '');
  };
  const canGoBack = pageToken !== '';
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={previous} disabled={!canGoBack}>
        {stack.current.length === 0 && canGoBack ? 'First page' : 'Previous page'}
      </button>
      {shown && <span class="pager-info">{shown}{total !== undefined ? ` of ${total.toLocaleString()}` : ''}</span>}
      <button type="button" onClick={next} disabled={!nextPageToken}>Next page</button>
    </nav>
  );
}

/**
 * The pager of a list page whose page token lives in the URL (`?pageToken=`, so a page can be shared); nothing
 * when everything fits on one page.
 */
export function UrlPager({ pageToken, nextPageToken }: { pageToken: string; nextPageToken?: string }) {
  if (!pageToken && !nextPageToken) return null;
  return <Pager pageToken={pageToken} nextPageToken={nextPageToken}
    onPage={(t) => setQuery({ pageToken: t || undefined }, false)} />;
}

interface ConfirmState {
  title: string;
  body: ComponentChildren;
  action: string;
  resolve: (ok: boolean) => void;
}

let openConfirm: ((s: ConfirmState) => void) | null = null;

/** Asks in a modal dialog; resolves true if the person confirms. */
export function confirmDialog(title: string, body: ComponentChildren, action = 'Delete'): Promise<boolean> {
  return new Promise((resolve) => {
    if (!openConfirm) {
      resolve(window.confirm(title));
      return;
    }
    openConfirm({ title, body, action, resolve });
  });
}

/** The one confirmation dialog of the page (mounted once by the app). */
export function ConfirmHost() {
  const [state, setState] = useState<ConfirmState | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    openConfirm = setState;
    return () => {
      openConfirm = null;
    };
  }, []);
  useEffect(() => {
    if (state && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [state]);
  const close = (ok: boolean) => {
    dialog.current?.close();
    state?.resolve(ok);
    setState(null);
  };
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title" onCancel={() => close(false)}>
      {state && (
        <form method="dialog" onSubmit={(e) => { e.preventDefault(); close(true); }}>
          <h2 id="confirm-title">{state.title}</h2>
          <div class="confirm-body">{state.body}</div>
          <div class="actions">
            <button type="button" onClick={() => close(false)} autoFocus>Cancel</button>
            <button type="submit" class="danger">{state.action}</button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/**
 * An image served by the API (`GET /v1/{name}:image`). Without an API key a plain lazy <img>; with one, the
 * bytes are fetched with the key once the image comes into view and shown from a blob URL.
 */
export function ApiImage(
  { name, size, alt, className }: { name: string; size?: number; alt: string; className?: string },
) {
  const src = url(`${name.split('/').map(encodeURIComponent).join('/')}:image`, size ? { size } : undefined);
  const headers = authHeaders();
  const needsFetch = Object.keys(headers).length > 0;
  const ref = useRef<HTMLImageElement>(null);
  const [blobUrl, setBlobUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!needsFetch || !ref.current) return;
    let objectUrl: string | undefined;
    let cancelled = false;
    const load = () => {
      fetch(src, { headers }).then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const blob = await r.blob();
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setBlobUrl(objectUrl);
      }).catch(() => !cancelled && setFailed(true));
    };
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        load();
      }
    }, { rootMargin: '200px' });
    observer.observe(ref.current);
    return () => {
      cancelled = true;
      observer.disconnect();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [src, needsFetch]);
  return (
    <img
      ref={ref}
      class={`${className ?? ''}${failed ? ' broken' : ''}`}
      src={needsFetch ? blobUrl : src}
      alt={alt}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  );
}

/** A labelled figure for a metric: the text people read, and the raw value in <data value>. */
export function Metric(
  { label, value, text, hint }: { label: string; value: number | string | undefined; text: string; hint?: string },
) {
  return (
    <div class="metric" role="group" aria-label={label}>
      <div class="metric-label">{label}</div>
      <data class="metric-value" value={value === undefined ? '' : String(value)}
        title={value === undefined ? undefined : `${label}: ${value}`}>{text}</data>
      {hint && <div class="metric-hint">{hint}</div>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return <button type="button" class="small" onClick={copy}>{done ? 'Copied' : label}</button>;
}

import { useState } from 'preact/hooks';
import { ApiError, get, namePath, operationId, post } from '../api';
import { Empty, ErrorBox, Loading, UrlPager, ProgressBar, useAsync, useInterval } from '../components/common';
import { ago, enumText, int, time } from '../format';
import { href, resourceHref, setQuery } from '../router';
import type { Operation } from '../types';
import { FailureTable } from './ImportPanel';

const KINDS = ['IMPORT_DATA', 'DELETE_DATASET', 'CREATE_MODEL', 'DELETE_MODEL', 'DEPLOY_MODEL', 'UNDEPLOY_MODEL', 'EXPORT_MODEL', 'BATCH_PREDICT', 'EXPORT_DATA'];
const STATES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

function targetHref(target?: string): string | undefined {
  if (!target) return undefined;
  if (/^(datasets|models)\/[^/]+$/.test(target)) return resourceHref(target);
  return undefined;
}

function CancelButton({ op, onDone }: { op: Operation; onDone: (error?: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  if (op.done) return null;
  const cancel = async () => {
    setBusy(true);
    try {
      await post(`${namePath(op.name!)}:cancel`, {});
      onDone();
    } catch (e) {
      onDone(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="small danger-ghost" onClick={cancel} disabled={busy || op.metadata?.cancelRequested}
      aria-label={`Cancel operation ${operationId(op.name ?? '')}`}>
      {op.metadata?.cancelRequested ? 'Cancelling…' : 'Cancel'}
    </button>
  );
}

export function OperationsPage({ query }: { query: URLSearchParams }) {
  const kind = query.get('kind') ?? '';
  const state = query.get('state') ?? '';
  const pageToken = query.get('pageToken') ?? '';
  const terms: string[] = [];
  if (kind) terms.push(`kind = ${kind}`);
  if (state) terms.push(`state = ${state}`);
  const filter = terms.join(' AND ');
  const [actionError, setActionError] = useState<unknown>();
  const list = useAsync(
    (signal) => get<{ operations?: Operation[]; nextPageToken?: string }>('operations', { pageSize: 50, pageToken, filter }, signal),
    [filter, pageToken],
  );
  const ops = list.data?.operations ?? [];
  const running = ops.some((o) => !o.done);
  useInterval(() => list.reload(), 1500, running);
  return (
    <section>
      <div class="page-head"><h1>Operations</h1></div>
      <p class="lede">Imports, training, deployments and deletions run as operations; they survive server restarts.</p>
      <div class="filters" role="search" aria-label="Filter operations">
        <label>
          Kind
          <select value={kind} onChange={(e) => setQuery({ kind: (e.target as HTMLSelectElement).value || undefined, pageToken: undefined })}>
            <option value="">All kinds</option>
            {KINDS.map((k) => <option key={k} value={k}>{enumText(k)}</option>)}
          </select>
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setQuery({ state: (e.target as HTMLSelectElement).value || undefined, pageToken: undefined })}>
            <option value="">All states</option>
            {STATES.map((s) => <option key={s} value={s}>{enumText(s)}</option>)}
          </select>
        </label>
        <button type="button" class="ghost" onClick={() => list.reload()}>Refresh</button>
      </div>
      <ErrorBox error={list.error} title="Could not list the operations" />
      <ErrorBox error={actionError} title="Could not cancel" />
      {list.loading && !list.data && <Loading />}
      {list.data && ops.length === 0 && <Empty><p>No operations{filter ? ' match these filters' : ' yet'}.</p></Empty>}
      {ops.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Operations</caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Kind</th>
                <th scope="col">Target</th>
                <th scope="col">Progress</th>
                <th scope="col">Started</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {ops.map((o) => {
                const m = o.metadata ?? {};
                const t = targetHref(m.target);
                return (
                  <tr key={o.name}>
                    <td><a href={href(`operations/${encodeURIComponent(operationId(o.name ?? ''))}`)} class="mono">{operationId(o.name ?? '').slice(0, 12)}</a></td>
                    <td>{enumText(m.kind)}</td>
                    <td>{t ? <a href={t}>{m.target}</a> : m.target}</td>
                    <td class="progress-cell">
                      <span class={`badge ${m.state === 'SUCCEEDED' ? 'ok' : m.state === 'FAILED' ? 'bad' : m.state === 'RUNNING' ? 'warn' : ''}`}>{enumText(m.state)}</span>
                      {!o.done && <ProgressBar label={`Progress of ${operationId(o.name ?? '')}`} value={m.progressPercent ?? 0} />}
                      <span class="sub">{o.error?.message ?? m.statusMessage}</span>
                    </td>
                    <td title={m.createTime}>{ago(m.createTime)}</td>
                    <td><CancelButton op={o} onDone={(e) => { setActionError(e); list.reload(); }} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <UrlPager pageToken={pageToken} nextPageToken={list.data?.nextPageToken} />
    </section>
  );
}

export function OperationPage({ id }: { id: string }) {
  const op = useAsync((signal) => get<Operation>(`operations/${encodeURIComponent(id)}`, undefined, signal), [id]);
  const [actionError, setActionError] = useState<unknown>();
  const o = op.data;
  useInterval(() => op.reload(), 1000, o !== undefined && !o.done);
  const m = o?.metadata ?? {};
  const details = m.importDataDetails ?? m.createModelDetails ?? m.deployModelDetails ?? m.batchPredictDetails ?? m.exportModelDetails ?? m.exportDataDetails ?? m.deleteDetails;
  const t = targetHref(m.target);
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('operations')}>Operations</a> / {id.slice(0, 12)}</nav>
      <div class="page-head">
        <h1>{enumText(m.kind) || 'Operation'} {o ? `(${enumText(m.state)})` : ''}</h1>
        {o && <CancelButton op={o} onDone={(e) => { setActionError(e); op.reload(); }} />}
      </div>
      <ErrorBox error={op.error} title="Could not load the operation" />
      <ErrorBox error={actionError} title="Could not cancel" />
      {op.loading && !o && <Loading />}
      {o && (
        <>
          <section class="card">
            <ProgressBar label="Progress" value={m.progressPercent ?? (o.done ? 100 : 0)} />
            <p role="status">{m.statusMessage}</p>
            <dl class="facts">
              <dt>Name</dt><dd class="mono">{o.name}</dd>
              <dt>Target</dt><dd>{t ? <a href={t}>{m.target}</a> : m.target}</dd>
              <dt>Started</dt><dd>{time(m.createTime)}</dd>
              {m.endTime && <><dt>Ended</dt><dd>{time(m.endTime)}</dd></>}
              {m.resumeCount ? <><dt>Resumed</dt><dd>{m.resumeCount} time(s) after a restart</dd></> : null}
              {m.cancelRequested && <><dt>Cancel</dt><dd>requested</dd></>}
            </dl>
            {o.error && <ErrorBox error={new ApiError(o.error, 0)} title="Failed" />}
          </section>
          {details && (
            <section class="card">
              <h2>Details</h2>
              <dl class="facts">
                {Object.entries(details).map(([k, v]) => (
                  <><dt key={k}>{k.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt><dd>{typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v)}</dd></>
                ))}
              </dl>
            </section>
          )}
          {(m.partialFailures ?? []).length > 0 && (
            <section class="card">
              <FailureTable failures={m.partialFailures!} total={int(m.partialFailureCount) || m.partialFailures!.length} />
            </section>
          )}
          {o.response && (
            <section class="card">
              <h2>Result</h2>
              <pre class="json">{JSON.stringify(o.response, null, 2)}</pre>
            </section>
          )}
        </>
      )}
    </section>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, asApiError, detailType, namePath, pollOperation, post } from '../api';
import { Bars } from '../components/charts';
import { ErrorBox, ProgressBar } from '../components/common';
import { bytes, count, enumText, int, plural } from '../format';
import { href, resourceHref } from '../router';
import { expandZips, fromDataTransfer, fromFileList, type ImportPlan, planImport, type SourceFile } from '../sources';
import type { Dataset, DatasetStats, Operation, RpcStatus } from '../types';
import { type UploadProgress, uploadAndImport } from '../upload';
import { StatsTable } from './DatasetPage';

type Phase = 'choose' | 'planned' | 'uploading' | 'importing' | 'done';

/** The row, URI and reason of a rejected CSV row (a partial failure with an ErrorInfo). */
export function failureRow(f: RpcStatus): { row: string; uri: string; reason: string; message: string } {
  const info = f.details?.find((d) => detailType(d) === 'google.rpc.ErrorInfo');
  const meta = (info?.metadata ?? {}) as Record<string, string>;
  return { row: meta.row ?? '', uri: meta.uri ?? '', reason: (info?.reason as string) ?? '', message: f.message ?? '' };
}

export function FailureTable({ failures, total }: { failures: RpcStatus[]; total: number }) {
  if (failures.length === 0) return null;
  return (
    <div class="failures">
      <h3>{count(total)} row{total === 1 ? '' : 's'} rejected</h3>
      {total > failures.length && <p class="muted">The first {count(failures.length)} are listed.</p>}
      <div class="table-wrap">
        <table class="list compact" aria-label="Rejected rows">
          <thead>
            <tr><th scope="col" class="num">Row</th><th scope="col">File</th><th scope="col">Reason</th></tr>
          </thead>
          <tbody>
            {failures.map((f, i) => {
              const r = failureRow(f);
              return (
                <tr key={i}>
                  <td class="num">{r.row}</td>
                  <td class="break">{r.uri}</td>
                  <td>{r.message}{r.reason && <span class="muted"> ({r.reason})</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ImportProgress({ op }: { op: Operation }) {
  const m = op.metadata ?? {};
  const d = m.importDataDetails ?? {};
  return (
    <div class="op-progress">
      <ProgressBar label="Import progress" value={m.progressPercent ?? (op.done ? 100 : 0)} />
      <p role="status" aria-live="polite">
        {op.done ? `Import ${enumText(m.state)}` : 'Importing'}: {m.statusMessage || `${Math.round(m.progressPercent ?? 0)}%`}
      </p>
      <dl class="counts">
        <div><dt>Rows</dt><dd>{count(d.processedRowCount)} of {count(d.totalRowCount)}</dd></div>
        <div><dt>Imported</dt><dd>{count(d.importedCount)}</dd></div>
        <div><dt>Duplicates</dt><dd>{count(d.duplicateCount)}</dd></div>
        {int(d.labelsAddedCount) > 0 && <div><dt>Labels added</dt><dd>{count(d.labelsAddedCount)}</dd></div>}
        <div><dt>Rejected</dt><dd>{count(d.failedCount)}</dd></div>
        {d.imagesPerSecond ? <div><dt>Speed</dt><dd>{d.imagesPerSecond.toFixed(0)} images/s</dd></div> : null}
      </dl>
    </div>
  );
}

export function ImportPanel(
  { dataset, stats, onImported }: { dataset: Dataset; stats?: DatasetStats; onImported: () => void },
) {
  const [phase, setPhase] = useState<Phase>('choose');
  const [plan, setPlan] = useState<ImportPlan>();
  const [error, setError] = useState<unknown>();
  const [reading, setReading] = useState(false);
  const [upload, setUpload] = useState<UploadProgress>();
  const [op, setOp] = useState<Operation>();
  const [dragging, setDragging] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const id = dataset.name!.replace(/^datasets\//, '');

  useEffect(() => {
    if (phase !== 'uploading') return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [phase]);
  useEffect(() => () => abort.current?.abort(), []);

  const choose = async (files: Promise<SourceFile[]>) => {
    setError(undefined);
    setReading(true);
    try {
      const chosen = await files;
      if (chosen.length === 0) throw new Error('nothing was chosen');
      const p = await planImport(chosen);
      if (p.rowCount === 0) {
        throw new Error(p.layout === 'csv'
          ? `${p.csvName} has no rows`
          : 'no images in label folders were found: choose a folder with one sub-folder per label');
      }
      setPlan(p);
      setPhase('planned');
    } catch (e) {
      setError(e);
    } finally {
      setReading(false);
    }
  };
  const onInput = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    choose(expandZips(fromFileList(files), files));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!e.dataTransfer) return;
    const files = Array.from(e.dataTransfer.files);
    choose(fromDataTransfer(e.dataTransfer).then((f) => expandZips(f, files)));
  };
  const start = async () => {
    if (!plan) return;
    setError(undefined);
    setPhase('uploading');
    abort.current = new AbortController();
    try {
      const started = await uploadAndImport(dataset.name!, plan, setUpload, abort.current.signal);
      setPhase('importing');
      const done = await pollOperation(started, setOp, { signal: abort.current.signal });
      setOp(done);
      setPhase('done');
      onImported();
      if (done.error) setError(new ApiError(done.error, 0));
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') return;
      setError(e);
      setPhase(op ? 'done' : 'planned');
    }
  };
  const cancelImport = async () => {
    if (!op?.name) return;
    try {
      await post(`${namePath(op.name)}:cancel`, {});
    } catch (e) {
      setError(asApiError(e));
    }
  };
  const reset = () => {
    setPhase('choose');
    setPlan(undefined);
    setOp(undefined);
    setUpload(undefined);
    setError(undefined);
  };
  const m = op?.metadata;

  return (
    <div class="import">
      {(phase === 'choose' || phase === 'planned') && (
        <div
          class={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <h2>Import images into {dataset.displayName || id}</h2>
          <p>
            Drop a folder here, or choose one: <strong>one sub-folder per label</strong> (<code>cirrus/a.jpg</code> is
            labelled <code>cirrus</code>; <code>TEST/cirrus/a.jpg</code> also puts it in TEST). Or images with a CSV of
            <code> [set,]uri,label</code> rows naming them by path or file name, or a zip of either.
          </p>
          <div class="choosers">
            <label class="button primary file-button">
              Choose a folder
              <input type="file" class="visually-hidden" multiple onChange={onInput}
                {...{ webkitdirectory: true, directory: true }} />
            </label>
            <label class="button file-button">
              Choose images and a CSV
              <input type="file" class="visually-hidden" multiple accept="image/*,.csv,text/csv" onChange={onInput} />
            </label>
            <label class="button file-button">
              Choose a zip
              <input type="file" class="visually-hidden" accept=".zip,application/zip" onChange={onInput} />
            </label>
          </div>
          {reading && <p role="status">Reading the files…</p>}
        </div>
      )}
      <ErrorBox error={error} title={phase === 'done' ? 'The import failed' : 'Could not import'} />

      {plan && phase !== 'choose' && (
        <section class="card" aria-labelledby="plan-title">
          <h2 id="plan-title">
            {plan.layout === 'csv'
              ? `${plural(plan.rowCount, 'row')}, ${plural(plan.labels.size, 'label')}`
              : `${plural(plan.rowCount, 'image')} in ${plural(plan.labels.size, 'label')}`}
          </h2>
          <p class="muted">
            {plan.layout === 'csv' ? `Rows of ${plan.csvName}` : 'Labels from the folder names'} · {bytes(plan.totalBytes)} ·{' '}
            {plan.sets.size === 1 && plan.sets.has('')
              ? 'no split given: the server splits each label 80/10/10 into TRAIN, VALIDATION and TEST'
              : [...plan.sets.entries()].map(([s, n]) => `${count(n)} ${s || 'without a split'}`).join(', ')}
          </p>
          <Bars rows={[...plan.labels.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([label, value]) => ({ label, value }))} />
          {plan.labels.size > 30 && <p class="muted">…and {plan.labels.size - 30} more labels.</p>}
          {plan.notes.length > 0 && <ul class="notes">{plan.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
          {plan.unmatched.length > 0 && (
            <details>
              <summary>Rows naming files that were not chosen</summary>
              <ul class="mono small">
                {plan.unmatched.slice(0, 50).map((u) => <li key={u.line}>row {u.line}: {u.uri}</li>)}
              </ul>
            </details>
          )}
          {phase === 'planned' && (
            <div class="actions">
              <button type="button" class="primary" onClick={start}>Upload and import</button>
              <button type="button" class="ghost" onClick={reset}>Choose other files</button>
            </div>
          )}
        </section>
      )}

      {upload && phase !== 'choose' && phase !== 'planned' && (
        <section class="card" aria-labelledby="upload-title">
          <h2 id="upload-title">Upload</h2>
          <ProgressBar label="Hashing" value={upload.hashed} max={upload.images} />
          <p>Checked {count(upload.hashed)} of {count(upload.images)} images (SHA-256)</p>
          {upload.phase !== 'hashing' && (
            <>
              <ProgressBar label="Upload progress" value={upload.toUpload === 0 && upload.phase !== 'checking' ? 1 : upload.bytesUploaded}
                max={Math.max(1, upload.bytesToUpload)} />
              <p role="status" aria-live="polite">
                {upload.toUpload === 0 && upload.phase !== 'checking'
                  ? `All ${count(upload.images)} images were already on the server.`
                  : `Uploaded ${count(upload.uploaded)} of ${count(upload.toUpload)} images (${bytes(upload.bytesUploaded)} of ${bytes(upload.bytesToUpload)})`}
                {upload.alreadyThere > 0 && upload.toUpload > 0 ? `; ${count(upload.alreadyThere)} already on the server` : ''}
              </p>
            </>
          )}
        </section>
      )}

      {op && (
        <section class="card" aria-labelledby="import-title">
          <div class="page-head">
            <h2 id="import-title">{op.done ? `Import ${enumText(m?.state)}` : 'Import running'}</h2>
            {!op.done && <button type="button" class="danger-ghost" onClick={cancelImport} disabled={m?.cancelRequested}>
              {m?.cancelRequested ? 'Cancelling…' : 'Cancel import'}
            </button>}
          </div>
          <ImportProgress op={op} />
          <FailureTable failures={m?.partialFailures ?? []} total={int(m?.partialFailureCount) || (m?.partialFailures ?? []).length} />
          <p class="muted">Operation <a href={resourceHref(op.name!)}>{op.name}</a></p>
        </section>
      )}

      {phase === 'done' && (
        <section class="card" aria-labelledby="after-title">
          <h2 id="after-title">Label counts</h2>
          {stats ? <StatsTable id={id} stats={stats} /> : <p class="muted">Loading the label counts…</p>}
          <div class="actions">
            <a class="button primary" href={href(`datasets/${encodeURIComponent(id)}`)}>See the images</a>
            <a class="button" href={href(`datasets/${encodeURIComponent(id)}/train`)}>Train a model</a>
            <button type="button" class="ghost" onClick={reset}>Import more</button>
          </div>
        </section>
      )}
    </div>
  );
}

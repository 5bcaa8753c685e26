import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, namePath, patch } from '../api';
import { Bars } from '../components/charts';
import { ApiImage, confirmDialog, Empty, ErrorBox, Loading, Pager, useAsync } from '../components/common';
import { bytes, count, enumText, int, lastPart, plural, time } from '../format';
import { href, navigate, resourceHref, setQuery } from '../router';
import type { Dataset, DatasetStats, Example, MlUse } from '../types';
import { deleteDataset } from './DatasetsPage';
import { ImportPanel } from './ImportPanel';
import { TrainForm } from './TrainForm';

const SPLITS: MlUse[] = ['TRAIN', 'VALIDATION', 'TEST', 'UNASSIGNED'];
const PAGE_SIZE = 48;

export function examplesFilter(label?: string | null, split?: string | null): string {
  const terms: string[] = [];
  if (label) terms.push(`label = "${label.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  if (split) terms.push(`ml_use = ${split}`);
  return terms.join(' AND ');
}

export function DatasetPage({ id, tab, query }: { id: string; tab: string; query: URLSearchParams }) {
  const name = `datasets/${id}`;
  const dataset = useAsync((signal) => get<Dataset>(namePath(name), undefined, signal), [name]);
  const stats = useAsync((signal) => get<DatasetStats>(`${namePath(name)}:stats`, undefined, signal), [name]);
  const [deleteError, setDeleteError] = useState<unknown>();
  const [deleting, setDeleting] = useState(false);
  const d = dataset.data;
  const refresh = () => {
    dataset.reload();
    stats.reload();
  };
  const remove = async () => {
    if (!d) return;
    setDeleteError(undefined);
    try {
      if (await deleteDataset(d, () => setDeleting(true))) navigate('datasets');
    } catch (e) {
      setDeleteError(e);
    } finally {
      setDeleting(false);
    }
  };
  const tabLink = (t: string, text: string) => (
    <a href={href(`datasets/${encodeURIComponent(id)}${t === 'images' ? '' : `/${t}`}`)} aria-current={tab === t ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('datasets')}>Datasets</a> / {id}</nav>
      <div class="page-head">
        <div>
          <h1>{d?.displayName || id}</h1>
          {d && (
            <p class="sub">
              {id} · {d.classificationType === 'MULTILABEL' ? 'multi-label' : 'single-label'} · {plural(int(d.exampleCount), 'image')}
              {' · '}{plural(d.labelCount ?? 0, 'label')}
            </p>
          )}
        </div>
        <div class="actions">
          <a class="button primary" href={href(`datasets/${encodeURIComponent(id)}/train`)}>Train a model</a>
          <button type="button" class="danger-ghost" onClick={remove} disabled={!d || deleting}>
            {deleting ? 'Deleting…' : 'Delete dataset'}
          </button>
        </div>
      </div>
      <ErrorBox error={dataset.error} title="Could not load the dataset" />
      <ErrorBox error={deleteError} title="Could not delete the dataset" />
      <nav class="tabs" aria-label="Dataset">
        {tabLink('images', 'Images')}
        {tabLink('import', 'Import')}
        {tabLink('train', 'Train')}
      </nav>
      {tab === 'import' && d && (
        <ImportPanel dataset={d} stats={stats.data} onImported={refresh} />
      )}
      {tab === 'train' && d && <TrainForm dataset={d} stats={stats.data} statsError={stats.error} />}
      {tab === 'images' && (
        <div class="dataset-layout">
          <aside class="card">
            <h2>Labels</h2>
            <ErrorBox error={stats.error} title="Could not load the label counts" />
            {stats.loading && !stats.data && <Loading />}
            {stats.data && <StatsTable id={id} stats={stats.data} selected={query.get('label') ?? undefined} />}
          </aside>
          <ExampleGrid id={id} dataset={d} stats={stats.data} query={query} onChanged={refresh} />
        </div>
      )}
    </section>
  );
}

/** Label counts per split, with the server's warnings; each label links to its images. */
export function StatsTable({ id, stats, selected }: { id: string; stats: DatasetStats; selected?: string }) {
  const labels = stats.labels ?? [];
  const unassigned = int(stats.splitCounts?.unassigned) > 0;
  const labelHref = (label?: string, split?: string) =>
    href(`datasets/${encodeURIComponent(id)}`, { label, split });
  return (
    <div class="stats">
      {(stats.warnings ?? []).length > 0 && (
        <ul class="warnings" aria-label="Warnings">
          {stats.warnings!.map((w, i) => (
            <li key={i}><strong>{enumText(w.kind)}</strong>{w.label ? ` (${w.label})` : ''}: {w.message}</li>
          ))}
        </ul>
      )}
      {labels.length === 0 ? (
        <p class="muted">No labels yet: import images first.</p>
      ) : (
        <>
          <div class="table-wrap">
            <table class="list compact" aria-label="Label counts">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col" class="num">Images</th>
                  <th scope="col" class="num">Train</th>
                  <th scope="col" class="num"><abbr title="Validation">Val.</abbr></th>
                  <th scope="col" class="num">Test</th>
                  {unassigned && <th scope="col" class="num"><abbr title="Unassigned">None</abbr></th>}
                </tr>
              </thead>
              <tbody>
                {labels.map((l) => (
                  <tr key={l.displayName} class={selected === l.displayName ? 'selected' : undefined}>
                    <th scope="row">
                      <a href={labelHref(l.displayName)} aria-current={selected === l.displayName ? 'true' : undefined}>{l.displayName}</a>
                    </th>
                    <td class="num">{count(l.exampleCount)}</td>
                    <td class="num"><a href={labelHref(l.displayName, 'TRAIN')} aria-label={`${l.displayName} TRAIN images`}>{count(l.splitCounts?.train)}</a></td>
                    <td class="num"><a href={labelHref(l.displayName, 'VALIDATION')} aria-label={`${l.displayName} VALIDATION images`}>{count(l.splitCounts?.validation)}</a></td>
                    <td class="num"><a href={labelHref(l.displayName, 'TEST')} aria-label={`${l.displayName} TEST images`}>{count(l.splitCounts?.test)}</a></td>
                    {unassigned && <td class="num">{count(l.splitCounts?.unassigned)}</td>}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row"><a href={labelHref()}>All images</a></th>
                  <td class="num">{count(stats.exampleCount)}</td>
                  <td class="num">{count(stats.splitCounts?.train)}</td>
                  <td class="num">{count(stats.splitCounts?.validation)}</td>
                  <td class="num">{count(stats.splitCounts?.test)}</td>
                  {unassigned && <td class="num">{count(stats.splitCounts?.unassigned)}</td>}
                </tr>
              </tfoot>
            </table>
          </div>
          <Bars rows={labels.map((l) => ({ label: l.displayName ?? '', value: int(l.exampleCount) }))} />
        </>
      )}
    </div>
  );
}

function ExampleGrid(
  { id, dataset, stats, query, onChanged }: {
    id: string;
    dataset?: Dataset;
    stats?: DatasetStats;
    query: URLSearchParams;
    onChanged: () => void;
  },
) {
  const label = query.get('label') ?? '';
  const split = query.get('split') ?? '';
  const pageToken = query.get('pageToken') ?? '';
  const open = query.get('image') ?? '';
  const pageSize = Math.min(500, Math.max(6, Number(query.get('pageSize')) || PAGE_SIZE));
  const filter = examplesFilter(label, split);
  const list = useAsync(
    (signal) => get<{ examples?: Example[]; nextPageToken?: string; totalSize?: string }>(
      `datasets/${encodeURIComponent(id)}/examples`, { pageSize, pageToken, filter }, signal),
    [id, filter, pageToken, pageSize],
  );
  const examples = list.data?.examples ?? [];
  const total = int(list.data?.totalSize);
  const index = examples.findIndex((e) => lastPart(e.name) === open);
  const labels = (stats?.labels ?? []).map((l) => l.displayName ?? '');
  return (
    <div class="grid-panel">
      <div class="filters" role="search" aria-label="Filter images">
        <label>
          Label
          <select value={label} onChange={(e) => setQuery({ label: (e.target as HTMLSelectElement).value || undefined, pageToken: undefined })}>
            <option value="">All labels</option>
            {labels.map((l) => <option key={l} value={l}>{l}</option>)}
            {label && !labels.includes(label) && <option value={label}>{label}</option>}
          </select>
        </label>
        <label>
          Split
          <select value={split} onChange={(e) => setQuery({ split: (e.target as HTMLSelectElement).value || undefined, pageToken: undefined })}>
            <option value="">All splits</option>
            {SPLITS.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <p class="muted" aria-live="polite">
          {list.data ? `${count(total)} image${total === 1 ? '' : 's'}${label ? ` labelled ${label}` : ''}${split ? ` in ${split}` : ''}` : ''}
        </p>
      </div>
      <ErrorBox error={list.error} title="Could not list the images" />
      {list.loading && !list.data && <Loading label="Loading images" />}
      {list.data && examples.length === 0 && (
        <Empty>
          {filter ? <p>No image matches these filters.</p> : (
            <p>This dataset has no images yet. <a href={href(`datasets/${encodeURIComponent(id)}/import`)}>Import images</a></p>
          )}
        </Empty>
      )}
      <ul class="thumbs" aria-label="Images" aria-busy={list.loading}>
        {examples.map((e) => (
          <li key={e.name}>
            <ExampleTile example={e} onOpen={() => setQuery({ image: lastPart(e.name) }, false)} />
          </li>
        ))}
      </ul>
      {(pageToken || list.data?.nextPageToken) && (
        <Pager key={`${filter}/${pageSize}`} pageToken={pageToken} nextPageToken={list.data?.nextPageToken} total={total}
          shown={`${examples.length} shown`}
          onPage={(t) => setQuery({ pageToken: t || undefined }, false)} />
      )}
      {open && (
        <ExampleDialog
          name={`datasets/${id}/examples/${open}`}
          known={index >= 0 ? examples[index] : undefined}
          dataset={dataset}
          labels={labels}
          onPrevious={index > 0 ? () => setQuery({ image: lastPart(examples[index - 1].name) }) : undefined}
          onNext={index >= 0 && index < examples.length - 1 ? () => setQuery({ image: lastPart(examples[index + 1].name) }) : undefined}
          onClose={() => setQuery({ image: undefined })}
          onChanged={() => {
            list.reload();
            onChanged();
          }}
        />
      )}
    </div>
  );
}

/** A thumbnail button; `caption` is what it shows, `description` what a screen reader hears (default: caption). */
export function ExampleTile(
  { example, onOpen, caption, description }: { example: Example; onOpen: () => void; caption?: string; description?: string },
) {
  const labels = (example.labels ?? []).join(', ');
  return (
    <button type="button" class="thumb" onClick={onOpen} title={description}
      aria-label={`Image ${lastPart(example.name).slice(0, 10)}, ${description ?? caption ?? `${labels || 'no label'}, ${example.mlUse ?? ''}`}`}>
      <ApiImage name={example.name!} size={160} alt="" />
      <span class="thumb-caption">
        <span>{caption ?? labels}</span>
        {!caption && <span class={`split split-${(example.mlUse ?? '').toLowerCase()}`}>{example.mlUse}</span>}
      </span>
    </button>
  );
}

/** One image, large, with its labels and split, which can be changed, and a delete button. */
export function ExampleDialog(
  { name, known, dataset, labels, onPrevious, onNext, onClose, onChanged, extra }: {
    name: string;
    known?: Example;
    dataset?: Dataset;
    labels: string[];
    onPrevious?: () => void;
    onNext?: () => void;
    onClose: () => void;
    onChanged?: () => void;
    extra?: preact.ComponentChildren;
  },
) {
  const dialog = useRef<HTMLDialogElement>(null);
  const example = useAsync(async (signal) => known ?? get<Example>(namePath(name), undefined, signal), [name, known]);
  const e = example.data;
  const [editLabels, setEditLabels] = useState('');
  const [editSplit, setEditSplit] = useState<string>('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  useEffect(() => {
    setEditLabels((e?.labels ?? []).join(', '));
    setEditSplit(e?.mlUse ?? '');
  }, [e]);
  useEffect(() => {
    setError(undefined);
    setSaved(false);
  }, [name]);
  const multilabel = dataset?.classificationType === 'MULTILABEL';
  const save = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const newLabels = editLabels.split(',').map((l) => l.trim()).filter(Boolean);
      const updated = await patch<Example>(namePath(name), { name, labels: newLabels, mlUse: editSplit },
        { updateMask: 'labels,ml_use' });
      example.set(updated);
      setSaved(true);
      onChanged?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    const ok = await confirmDialog('Delete this image?',
      <p>It is removed from the dataset {lastPart(dataset?.name)}; models already trained keep their evaluation.</p>,
      'Delete image');
    if (!ok) return;
    setBusy(true);
    try {
      await del(namePath(name));
      onChanged?.();
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const onKey = (ev: KeyboardEvent) => {
    const target = ev.target as HTMLElement;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    if (ev.key === 'ArrowLeft' && onPrevious) onPrevious();
    if (ev.key === 'ArrowRight' && onNext) onNext();
  };
  return (
    <dialog ref={dialog} class="viewer" aria-labelledby="viewer-title" onCancel={(ev) => { ev.preventDefault(); onClose(); }} onKeyDown={onKey}>
      <div class="viewer-head">
        <h2 id="viewer-title">Image {lastPart(name).slice(0, 12)}</h2>
        <div class="actions">
          <button type="button" class="ghost" onClick={onPrevious} disabled={!onPrevious} aria-label="Previous image">‹ Previous</button>
          <button type="button" class="ghost" onClick={onNext} disabled={!onNext} aria-label="Next image">Next ›</button>
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </div>
      <div class="viewer-body">
        <div class="viewer-image">
          {/* The stored bytes; browsers that cannot show TIFF get the server's 1024 px JPEG preview instead. */}
          <ApiImage name={name} size={e?.mimeType === 'image/tiff' ? 1024 : undefined}
            alt={`Image ${lastPart(name).slice(0, 12)}${e?.labels?.length ? `, labelled ${e.labels.join(', ')}` : ''}`} />
        </div>
        <div class="viewer-side">
          <ErrorBox error={example.error} title="Could not load the image's details" />
          {e && (
            <>
              <dl class="facts">
                <dt>Labels</dt><dd>{(e.labels ?? []).join(', ') || 'none'}</dd>
                <dt>Split</dt><dd>{e.mlUse}{{ AUTOMATIC: ' (automatic)', FROM_CSV: ' (from the CSV)', USER: ' (set by hand)' }[e.mlUseSource ?? ''] ?? ''}</dd>
                <dt>Size</dt><dd>{e.width}×{e.height} · {e.mimeType} · {bytes(int(e.sizeBytes))}</dd>
                <dt>Source</dt><dd class="break">{e.sourceUri}</dd>
                <dt>Added</dt><dd>{time(e.createTime)}</dd>
                <dt>SHA-256</dt><dd class="break mono">{e.contentSha256}</dd>
              </dl>
              {extra}
              <form class="form" onSubmit={save}>
                <h3>Change</h3>
                <label>
                  {multilabel ? 'Labels (comma-separated)' : 'Label'}
                  <input list="viewer-labels" value={editLabels} required
                    onInput={(ev) => { setEditLabels((ev.target as HTMLInputElement).value); setSaved(false); }} />
                  <datalist id="viewer-labels">{labels.map((l) => <option key={l} value={l} />)}</datalist>
                </label>
                <label>
                  Split
                  <select value={editSplit} onChange={(ev) => { setEditSplit((ev.target as HTMLSelectElement).value); setSaved(false); }}>
                    {SPLITS.filter((s) => s !== 'UNASSIGNED' || editSplit === 'UNASSIGNED').map((s) => <option key={s} value={s}>{s}</option>)}
                  </select>
                </label>
                <ErrorBox error={error} title="Could not change the image" />
                {saved && <p class="ok" role="status">Saved.</p>}
                <div class="actions">
                  <button type="submit" disabled={busy}>Save changes</button>
                  <button type="button" class="danger-ghost" onClick={remove} disabled={busy}>Delete image</button>
                </div>
              </form>
            </>
          )}
        </div>
      </div>
    </dialog>
  );
}

export function datasetHref(name: string): string {
  return resourceHref(name);
}

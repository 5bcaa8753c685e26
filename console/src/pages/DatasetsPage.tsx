import { useState } from 'preact/hooks';
import { ApiError, del, get, namePath, pollOperation, post } from '../api';
import { confirmDialog, Empty, ErrorBox, Loading, UrlPager, useAsync } from '../components/common';
import { ago, count, lastPart } from '../format';
import { navigate, resourceHref } from '../router';
import type { ClassificationType, Dataset, Operation } from '../types';

const ID_PATTERN = '[a-z][a-z0-9_\\-]{0,62}';

export function CreateDatasetForm({ onCancel }: { onCancel?: () => void }) {
  const [id, setId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [type, setType] = useState<ClassificationType>('MULTICLASS');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await post<Dataset>('datasets', { displayName: displayName || undefined, classificationType: type },
        { datasetId: id });
      navigate(`datasets/${encodeURIComponent(lastPart(created.name) || id)}/import`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-dataset-title">
      <h2 id="create-dataset-title">New dataset</h2>
      <div class="fields">
        <label>
          Dataset ID
          <input required pattern={ID_PATTERN} value={id} placeholder="clouds" autoComplete="off"
            aria-describedby="dataset-id-hint" onInput={(e) => setId((e.target as HTMLInputElement).value)} />
          <span id="dataset-id-hint" class="hint">Lowercase letters, digits, - and _, starting with a letter.</span>
        </label>
        <label>
          Display name
          <input value={displayName} placeholder="Cloud types" maxLength={256}
            onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <fieldset>
        <legend>Labels per image</legend>
        <label class="radio">
          <input type="radio" name="type" value="MULTICLASS" checked={type === 'MULTICLASS'} onChange={() => setType('MULTICLASS')} />
          One label per image (MULTICLASS)
        </label>
        <label class="radio">
          <input type="radio" name="type" value="MULTILABEL" checked={type === 'MULTILABEL'} onChange={() => setType('MULTILABEL')} />
          Several labels per image (MULTILABEL)
        </label>
      </fieldset>
      <ErrorBox error={error} title="Could not create the dataset" />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create dataset'}</button>
        {onCancel && <button type="button" class="ghost" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

/** Asks, then deletes a dataset (a long-running operation) and waits for it; false if the person said no. */
export async function deleteDataset(dataset: Dataset, onConfirmed?: () => void): Promise<boolean> {
  const ok = await confirmDialog(
    `Delete dataset ${lastPart(dataset.name)}?`,
    <p>
      Its {count(dataset.exampleCount)} images and their labels are removed; images no other dataset uses are
      deleted from the server. Models trained on it are kept. This cannot be undone.
    </p>,
    'Delete dataset',
  );
  if (!ok) return false;
  onConfirmed?.();
  const op = await del<Operation>(namePath(dataset.name!));
  const done = await pollOperation(op, () => {});
  if (done.error) throw new ApiError(done.error, 0);
  return true;
}

export function DatasetsPage({ query }: { query: URLSearchParams }) {
  const pageToken = query.get('pageToken') ?? '';
  const [creating, setCreating] = useState(query.get('new') === '1');
  const [actionError, setActionError] = useState<unknown>();
  const [deleting, setDeleting] = useState<string>();
  const list = useAsync(
    (signal) => get<{ datasets?: Dataset[]; nextPageToken?: string }>('datasets', { pageSize: 25, pageToken }, signal),
    [pageToken],
  );
  const datasets = list.data?.datasets ?? [];
  const remove = async (d: Dataset) => {
    setActionError(undefined);
    try {
      if (await deleteDataset(d, () => setDeleting(d.name))) list.reload();
    } catch (e) {
      setActionError(e);
      list.reload();
    } finally {
      setDeleting(undefined);
    }
  };
  return (
    <section>
      <div class="page-head">
        <h1>Datasets</h1>
        {!creating && <button type="button" class="primary" onClick={() => setCreating(true)}>New dataset</button>}
      </div>
      <p class="lede">
        A dataset holds labelled images. Import a folder with one sub-folder per label, look at the label counts,
        then train a model.
      </p>
      {creating && <CreateDatasetForm onCancel={() => setCreating(false)} />}
      <ErrorBox error={list.error} title="Could not list the datasets" />
      <ErrorBox error={actionError} title="Could not delete the dataset" />
      {list.loading && !list.data && <Loading />}
      {list.data && datasets.length === 0 && !pageToken && (
        <Empty>
          <p>No datasets yet.</p>
          {!creating && <button type="button" class="primary" onClick={() => setCreating(true)}>Create your first dataset</button>}
        </Empty>
      )}
      {datasets.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Datasets</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">Images</th>
                <th scope="col" class="num">Labels</th>
                <th scope="col">Created</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.name}>
                  <td>
                    <a href={resourceHref(d.name!)}>{d.displayName || lastPart(d.name)}</a>
                    {d.displayName && d.displayName !== lastPart(d.name) && <div class="sub">{lastPart(d.name)}</div>}
                    {d.state === 'DELETING' && <span class="badge warn">deleting</span>}
                  </td>
                  <td>{d.classificationType === 'MULTILABEL' ? 'Multi-label' : 'Single-label'}</td>
                  <td class="num">{count(d.exampleCount)}</td>
                  <td class="num">{count(d.labelCount)}</td>
                  <td title={d.createTime}>{ago(d.createTime)}</td>
                  <td class="row-actions">
                    <a class="button small" href={resourceHref(`${d.name}/train`)}>Train</a>
                    <button type="button" class="small danger-ghost" disabled={deleting === d.name}
                      aria-label={`Delete dataset ${lastPart(d.name)}`} onClick={() => remove(d)}>
                      {deleting === d.name ? 'Deleting…' : 'Delete'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <UrlPager pageToken={pageToken} nextPageToken={list.data?.nextPageToken} />
    </section>
  );
}

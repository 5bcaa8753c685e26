import { get } from '../api';
import { Empty, ErrorBox, Loading, UrlPager, useAsync } from '../components/common';
import { ago, enumText, lastPart } from '../format';
import { href, resourceHref, setQuery } from '../router';
import type { Model } from '../types';

export function StateBadges({ model }: { model: Model }) {
  const t = model.trainingState;
  const d = model.deploymentState;
  return (
    <span class="badges">
      <span class={`badge ${t === 'TRAINED' ? 'ok' : t === 'TRAINING_FAILED' ? 'bad' : 'warn'}`}>{enumText(t) || 'unknown'}</span>
      {t === 'TRAINED' && d && d !== 'DEPLOYMENT_STATE_UNSPECIFIED' && (
        <span class={`badge ${d === 'AVAILABLE' ? 'ok' : d === 'DEPLOYMENT_FAILED' ? 'bad' : d === 'UNDEPLOYED' ? '' : 'warn'}`}>
          {d === 'AVAILABLE' ? 'deployed' : enumText(d)}
        </span>
      )}
    </span>
  );
}

export function ModelsPage({ query }: { query: URLSearchParams }) {
  const pageToken = query.get('pageToken') ?? '';
  const dataset = query.get('dataset') ?? '';
  const deployed = query.get('deployed') === '1';
  const terms: string[] = [];
  if (dataset) terms.push(`dataset = "datasets/${dataset}"`);
  if (deployed) terms.push('deployment_state = AVAILABLE');
  const filter = terms.join(' AND ');
  const list = useAsync(
    (signal) => get<{ models?: Model[]; nextPageToken?: string }>('models', { pageSize: 25, pageToken, filter }, signal),
    [pageToken, filter],
  );
  const models = list.data?.models ?? [];
  return (
    <section>
      <div class="page-head">
        <h1>Models</h1>
      </div>
      <div class="filters" role="search" aria-label="Filter models">
        <label>
          Dataset
          <input value={dataset} placeholder="any" onChange={(e) => setQuery({ dataset: (e.target as HTMLInputElement).value.trim() || undefined, pageToken: undefined })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={deployed} onChange={(e) => setQuery({ deployed: (e.target as HTMLInputElement).checked ? '1' : undefined, pageToken: undefined })} />
          Deployed only
        </label>
      </div>
      <ErrorBox error={list.error} title="Could not list the models" />
      {list.loading && !list.data && <Loading />}
      {list.data && models.length === 0 && (
        <Empty>
          <p>No models{filter ? ' match these filters' : ' yet'}. Train one from a <a href={href('datasets')}>dataset</a>.</p>
        </Empty>
      )}
      {models.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Models</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Dataset</th>
                <th scope="col">Base model</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.name}>
                  <td><a href={resourceHref(m.name!)}>{m.displayName || lastPart(m.name)}</a></td>
                  <td>{m.dataset && <a href={resourceHref(m.dataset)}>{lastPart(m.dataset)}</a>}</td>
                  <td>{m.baseModel}</td>
                  <td><StateBadges model={m} /></td>
                  <td title={m.createTime}>{ago(m.createTime)}</td>
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

import { useState } from 'preact/hooks';
import { ApiError, operationId, post } from '../api';
import { ErrorBox } from '../components/common';
import { enumText, lastPart, plural } from '../format';
import { navigate } from '../router';
import type { Dataset, DatasetStats, Model, Operation } from '../types';

const BASE_MODELS = [
  { value: 'mobilenet_v2', text: 'mobilenet_v2: transfer learning from a pretrained MobileNetV2 (best for photos)' },
  { value: 'scratch_cnn', text: 'scratch_cnn: a small CNN trained from scratch (fast; small or simple images)' },
  { value: 'custom', text: 'Another feature extractor (saved_model:/path or tfjs:/path/model.json)' },
];

export function TrainForm({ dataset, stats, statsError }: { dataset: Dataset; stats?: DatasetStats; statsError?: unknown }) {
  const id = lastPart(dataset.name);
  const [modelId, setModelId] = useState(`${id.replace(/-/g, '_')}_v1`);
  const [displayName, setDisplayName] = useState('');
  const [base, setBase] = useState('mobilenet_v2');
  const [custom, setCustom] = useState('');
  const [budget, setBudget] = useState('');
  const [epochs, setEpochs] = useState('');
  const [learningRate, setLearningRate] = useState('');
  const [batchSize, setBatchSize] = useState('');
  const [cutLayer, setCutLayer] = useState('');
  const [error, setError] = useState<unknown>();
  const [checked, setChecked] = useState<string>();
  const [busy, setBusy] = useState(false);

  const model = (): Model => ({
    dataset: dataset.name,
    displayName: displayName || undefined,
    baseModel: base === 'custom' ? custom.trim() : base,
    trainingParams: {
      trainBudgetSeconds: budget ? String(Math.round(Number(budget))) : undefined,
      maxEpochs: epochs ? Number(epochs) : undefined,
      learningRate: learningRate ? Number(learningRate) : undefined,
      batchSize: batchSize ? Number(batchSize) : undefined,
      cutLayer: cutLayer.trim() || undefined,
    },
  });
  const check = async () => {
    setBusy(true);
    setError(undefined);
    setChecked(undefined);
    try {
      const op = await post<Operation>('models', model(), { modelId, validateOnly: true });
      if (op.error) throw new ApiError(op.error, 0);
      const m = op.response as Model | undefined;
      setChecked(`Ready to train: ${m?.labels?.length ?? '?'} labels, ${m?.trainExampleCount ?? '?'} TRAIN images, base model ${m?.baseModel ?? base}.`
        + (m?.warnings?.length ? ` Warnings: ${m.warnings.join(' ')}` : ''));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const op = await post<Operation>('models', model(), { modelId });
      if (op.error) throw new ApiError(op.error, 0);
      navigate(`models/${encodeURIComponent(modelId)}`, { op: op.name ? operationId(op.name) : undefined });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const warnings = stats?.warnings ?? [];
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="train-title">
      <h2 id="train-title">Train a model on {dataset.displayName || id}</h2>
      <ErrorBox error={statsError} title="Could not load the label counts" />
      {stats && (
        <p class="muted">
          {plural(stats.labels?.length ?? 0, 'label')} · {stats.splitCounts?.train ?? 0} TRAIN, {stats.splitCounts?.validation ?? 0} VALIDATION and{' '}
          {stats.splitCounts?.test ?? 0} TEST images. The model learns from TRAIN, stops early on VALIDATION and is evaluated on TEST.
        </p>
      )}
      {warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings">
          {warnings.map((w, i) => <li key={i}><strong>{enumText(w.kind)}</strong>: {w.message}</li>)}
        </ul>
      )}
      <div class="fields">
        <label>
          Model ID
          <input required pattern="[a-z][a-z0-9_\-]{0,62}" value={modelId} autoComplete="off"
            onInput={(e) => setModelId((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Display name
          <input value={displayName} onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />
        </label>
        <label class="wide">
          Base model
          <select value={base} onChange={(e) => setBase((e.target as HTMLSelectElement).value)}>
            {BASE_MODELS.map((b) => <option key={b.value} value={b.value}>{b.text}</option>)}
          </select>
        </label>
        {base === 'custom' && (
          <label class="wide">
            Feature extractor
            <input required value={custom} placeholder="saved_model:/models/extractor or tfjs:/models/model.json#layer"
              onInput={(e) => setCustom((e.target as HTMLInputElement).value)} />
          </label>
        )}
        <label>
          Training budget (seconds)
          <input type="number" min={1} step={1} value={budget} placeholder="server default (5-10 min)"
            onInput={(e) => setBudget((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Maximum epochs
          <input type="number" min={1} step={1} value={epochs} placeholder="server default"
            onInput={(e) => setEpochs((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <details>
        <summary>Advanced options</summary>
        <div class="fields">
          <label>
            Learning rate
            <input type="number" min={0} step="any" value={learningRate} placeholder="default"
              onInput={(e) => setLearningRate((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Batch size
            <input type="number" min={1} step={1} value={batchSize} placeholder="default"
              onInput={(e) => setBatchSize((e.target as HTMLInputElement).value)} />
          </label>
          {base === 'mobilenet_v2' && (
            <label class="wide">
              Cut layer(s)
              <input value={cutLayer} placeholder="block_10_project_BN (comma-separated to concatenate several)"
                onInput={(e) => setCutLayer((e.target as HTMLInputElement).value)} />
            </label>
          )}
        </div>
      </details>
      <ErrorBox error={error} title="Cannot train" />
      {checked && <p class="ok" role="status">{checked}</p>}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>Start training</button>
        <button type="button" onClick={check} disabled={busy}>Check without training</button>
      </div>
    </form>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, namePath, pollOperation, post } from '../api';
import { LineChart } from '../components/charts';
import { confirmDialog, ErrorBox, Loading, ProgressBar, useAsync } from '../components/common';
import { count, duration, enumText, fixed, float, int, lastPart, percent, seconds, time } from '../format';
import { href, navigate, resourceHref } from '../router';
import type { CreateModelDetails, Model, Operation } from '../types';
import { EvaluatePanel } from './EvaluatePanel';
import { StateBadges } from './ModelsPage';
import { PredictPanel } from './PredictPanel';

interface CurvePoint {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationAccuracy: number;
}

/** Curve points seen per training operation, kept while the page lives so that coming back keeps them. */
const seenCurves = new Map<string, Map<number, CurvePoint>>();

function recordPoint(opName: string, d: CreateModelDetails | undefined): void {
  if (!d) return;
  const curve = seenCurves.get(opName) ?? new Map<number, CurvePoint>();
  seenCurves.set(opName, curve);
  // The server sends the epochs so far; the latest update refines the current one below.
  for (const e of d.curve ?? []) {
    if (!e.epoch) continue;
    curve.set(e.epoch, {
      epoch: e.epoch,
      trainLoss: float(e.trainLoss),
      validationLoss: e.validationLoss === undefined ? NaN : float(e.validationLoss),
      validationAccuracy: e.validationAccuracy === undefined ? NaN : float(e.validationAccuracy),
    });
  }
  if (!d.epoch || (d.stage !== 'TRAINING' && d.stage !== 'FINE_TUNING')) return;
  curve.set(d.epoch, {
    epoch: d.epoch,
    trainLoss: float(d.trainLoss),
    validationLoss: d.validationLoss === undefined ? NaN : float(d.validationLoss),
    validationAccuracy: d.validationAccuracy === undefined ? NaN : float(d.validationAccuracy),
  });
}

export function CurveCharts({ points, live, maxEpochs }: { points: CurvePoint[]; live?: boolean; maxEpochs?: number }) {
  if (points.length === 0) return null;
  // Live, the axis grows with the epochs seen (a budget usually ends training long before max_epochs).
  const seen = Math.max(...points.map((p) => p.epoch));
  const maxEpoch = live ? Math.max(seen, Math.min(maxEpochs ?? 5, 5), 2) : Math.max(seen, 2);
  const xDomain: [number, number] = [1, maxEpoch];
  const epochFormat = (v: number) => (Number.isInteger(v) ? String(v) : '');
  return (
    <div class="charts">
      <LineChart
        title={live ? 'Loss (live)' : 'Loss'}
        xLabel="epoch" yLabel="loss" xDomain={xDomain} xFormat={epochFormat}
        series={[
          { name: 'train loss', color: '#2f6fd6', points: points.map((p) => [p.epoch, p.trainLoss]) },
          { name: 'validation loss', color: '#d6632f', points: points.map((p) => [p.epoch, p.validationLoss]) },
        ]}
      />
      <LineChart
        title={live ? 'Validation accuracy (live)' : 'Validation accuracy'}
        xLabel="epoch" yLabel="accuracy" yDomain={[0, 1]} xDomain={xDomain} xFormat={epochFormat}
        yFormat={(v) => `${Math.round(v * 100)}%`}
        series={[{ name: 'validation accuracy', color: '#2a9d6a', points: points.map((p) => [p.epoch, p.validationAccuracy]) }]}
      />
    </div>
  );
}

function TrainingProgress({ op, onCancel, cancelError }: { op: Operation; onCancel: () => void; cancelError?: unknown }) {
  const m = op.metadata ?? {};
  const d = m.createModelDetails ?? {};
  const points = [...(seenCurves.get(op.name ?? '')?.values() ?? [])].sort((a, b) => a.epoch - b.epoch);
  const perImage = d.stage === 'EMBEDDING' || d.stage === 'EVALUATING';
  return (
    <section class="card" aria-labelledby="training-title">
      <div class="page-head">
        <h2 id="training-title">{op.done ? `Training ${enumText(m.state)}` : 'Training'}</h2>
        {!op.done && (
          <button type="button" class="danger-ghost" onClick={onCancel} disabled={m.cancelRequested}>
            {m.cancelRequested ? 'Cancelling…' : 'Cancel training'}
          </button>
        )}
      </div>
      <ErrorBox error={cancelError} title="Could not cancel" />
      <ProgressBar label="Training progress" value={m.progressPercent ?? 0} />
      <p role="status" aria-live="polite">
        {d.stage ? <strong>Stage: {enumText(d.stage)}</strong> : 'Starting'}
        {d.epoch ? ` · Epoch ${d.epoch}${d.maxEpochs ? ` of ${d.maxEpochs}` : ''}` : ''}
        {perImage && int(d.totalImages) > 0 ? ` · ${count(d.processedImages)} of ${count(d.totalImages)} images` : ''}
        {m.statusMessage ? ` · ${m.statusMessage}` : ''}
      </p>
      <dl class="counts">
        {d.trainLoss !== undefined && <div><dt>Train loss</dt><dd>{fixed(d.trainLoss)}</dd></div>}
        {d.validationLoss !== undefined && <div><dt>Validation loss</dt><dd>{fixed(d.validationLoss)}</dd></div>}
        {d.validationAccuracy !== undefined && <div><dt>Validation accuracy</dt><dd>{percent(d.validationAccuracy)}</dd></div>}
        {d.imagesPerSecond ? <div><dt>Speed</dt><dd>{d.imagesPerSecond.toFixed(0)} images/s</dd></div> : null}
        {d.eta && !op.done ? <div><dt>Time left</dt><dd>about {duration(seconds(d.eta))}</dd></div> : null}
        {int(d.step) > 0 && <div><dt>Step</dt><dd>{count(d.step)}</dd></div>}
      </dl>
      <CurveCharts points={points} live={!op.done} maxEpochs={d.maxEpochs} />
      {op.error && <ErrorBox error={new ApiError(op.error, 0)} title="Training failed" />}
    </section>
  );
}

/** The running CreateModel operation of a model: the one named in the URL, or found among running ones. */
async function findTrainingOp(model: string, opId: string | null, signal: AbortSignal): Promise<Operation | undefined> {
  if (opId) return get<Operation>(`operations/${encodeURIComponent(opId)}`, undefined, signal);
  const list = await get<{ operations?: Operation[] }>('operations', { filter: 'kind = CREATE_MODEL AND state = RUNNING', pageSize: 100 }, signal);
  return (list.operations ?? []).find((o) =>
    o.metadata?.createModelDetails?.model === model || o.metadata?.target === model);
}

export function ModelPage({ id, tab, query }: { id: string; tab: string; query: URLSearchParams }) {
  const name = `models/${id}`;
  const model = useAsync((signal) => get<Model>(namePath(name), undefined, signal), [name]);
  const m = model.data;
  const opId = query.get('op');
  const [op, setOp] = useState<Operation>();
  const [opError, setOpError] = useState<unknown>();
  const [cancelError, setCancelError] = useState<unknown>();
  const [deleteError, setDeleteError] = useState<unknown>();
  const training = m?.trainingState === 'TRAINING';

  useEffect(() => {
    if (!m || (!training && !opId)) return;
    const controller = new AbortController();
    (async () => {
      try {
        const found = await findTrainingOp(name, opId, controller.signal);
        if (!found) return;
        const done = await pollOperation(found, (o) => {
          recordPoint(o.name ?? '', o.metadata?.createModelDetails);
          setOp(o);
        }, { signal: controller.signal, intervalMs: 500 });
        setOp(done);
        if (training) model.reload();
      } catch (e) {
        if ((e as Error)?.name !== 'AbortError') setOpError(e);
      }
    })();
    return () => controller.abort();
  }, [name, opId, training, m === undefined]);

  const cancel = async () => {
    if (!op?.name) return;
    setCancelError(undefined);
    try {
      await post(`${namePath(op.name)}:cancel`, {});
    } catch (e) {
      setCancelError(e);
    }
  };
  const remove = async () => {
    const ok = await confirmDialog(`Delete model ${id}?`, <p>The model, its evaluation and its files are removed. A deployed model is undeployed first.</p>, 'Delete model');
    if (!ok) return;
    setDeleteError(undefined);
    try {
      const started = await del<Operation>(namePath(name));
      const done = await pollOperation(started, () => {});
      if (done.error) throw new ApiError(done.error, 0);
      navigate('models');
    } catch (e) {
      setDeleteError(e);
    }
  };
  const tabLink = (t: string, text: string) => (
    <a href={href(`models/${encodeURIComponent(id)}${t === 'overview' ? '' : `/${t}`}`)} aria-current={tab === t ? 'page' : undefined}>{text}</a>
  );
  // Once training succeeded the model's own curve says it all; a failure or cancellation keeps its card.
  const showProgress = op && (training || !op.done || op.metadata?.state === 'FAILED' || op.metadata?.state === 'CANCELLED');
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('models')}>Models</a> / {id}</nav>
      <div class="page-head">
        <div>
          <h1>{m?.displayName || id}</h1>
          {m && (
            <p class="sub">
              {id} · trained on <a href={resourceHref(m.dataset ?? '')}>{lastPart(m.dataset)}</a> · {m.baseModel} · <StateBadges model={m} />
            </p>
          )}
        </div>
        <div class="actions">
          <button type="button" class="danger-ghost" onClick={remove} disabled={!m}>Delete model</button>
        </div>
      </div>
      <ErrorBox error={model.error} title="Could not load the model" />
      <ErrorBox error={deleteError} title="Could not delete the model" />
      <ErrorBox error={opError} title="Could not follow the training" />
      <nav class="tabs" aria-label="Model">
        {tabLink('overview', 'Overview')}
        {tabLink('evaluate', 'Evaluate')}
        {tabLink('predict', 'Deploy & test')}
      </nav>
      {model.loading && !m && <Loading />}
      {tab === 'overview' && showProgress && (
        <TrainingProgress op={op!} onCancel={cancel} cancelError={cancelError} />
      )}
      {m && tab === 'overview' && <Overview model={m} />}
      {m && tab === 'evaluate' && (m.trainingState === 'TRAINED'
        ? <EvaluatePanel model={m} query={query} />
        : <p class="empty">The evaluation is ready once training has finished ({enumText(m.trainingState)}).</p>)}
      {m && tab === 'predict' && (m.trainingState === 'TRAINED'
        ? <PredictPanel model={m} onModelChanged={(updated) => (updated ? model.set(updated) : model.reload())} />
        : <p class="empty">A model can be deployed once training has finished ({enumText(m.trainingState)}).</p>)}
    </section>
  );
}

function Overview({ model: m }: { model: Model }) {
  const s = m.trainingSummary ?? {};
  const curve = (s.curve ?? []).map((e) => ({
    epoch: e.epoch ?? 0,
    trainLoss: float(e.trainLoss),
    validationLoss: e.validationLoss === undefined ? NaN : float(e.validationLoss),
    validationAccuracy: e.validationAccuracy === undefined ? NaN : float(e.validationAccuracy),
  }));
  return (
    <>
      {m.trainingState === 'TRAINED' && (
        <p class="next-steps">
          <a class="button primary" href={href(`models/${encodeURIComponent(lastPart(m.name))}/evaluate`)}>See the evaluation</a>
          <a class="button" href={href(`models/${encodeURIComponent(lastPart(m.name))}/predict`)}>Deploy and test</a>
        </p>
      )}
      {(m.warnings ?? []).length > 0 && (
        <ul class="warnings" aria-label="Warnings">{m.warnings!.map((w) => <li key={w}>{w}</li>)}</ul>
      )}
      <div class="two-col">
        <section class="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Model</h2>
          <dl class="facts">
            <dt>Dataset</dt><dd><a href={resourceHref(m.dataset ?? '')}>{lastPart(m.dataset)}</a></dd>
            <dt>Base model</dt><dd>{m.baseModel}</dd>
            {m.trainingParams?.initialModel && <><dt>Started from</dt><dd><a href={resourceHref(m.trainingParams.initialModel)}>{lastPart(m.trainingParams.initialModel)}</a></dd></>}
            <dt>Type</dt><dd>{m.classificationType === 'MULTILABEL' ? 'multi-label' : 'single-label'}</dd>
            {(m.labels ?? []).length > 0 && <><dt>Labels</dt><dd>{m.labels!.join(', ')}</dd></>}
            <dt>Training</dt><dd>{enumText(m.trainingState)}{m.stopReason && m.stopReason !== 'STOP_REASON_UNSPECIFIED' ? ` (${enumText(m.stopReason)})` : ''}</dd>
            {int(m.trainExampleCount) > 0 && <><dt>Images</dt><dd>{count(m.trainExampleCount)} TRAIN, {count(s.validationExampleCount)} VALIDATION, {count(s.testExampleCount)} TEST</dd></>}
            {m.inputSize ? <><dt>Input</dt><dd>{m.inputSize}×{m.inputSize}, {m.inputChannels === 1 ? 'gray' : 'RGB'}</dd></> : null}
            {s.trainingDuration && <><dt>Took</dt><dd>{duration(seconds(s.trainingDuration))}{s.trainImagesPerSecond ? `, ${s.trainImagesPerSecond.toFixed(0)} images/s` : ''}</dd></>}
            {s.servingImagesPerSecond ? <><dt>Serving speed</dt><dd>{s.servingImagesPerSecond.toFixed(0)} images/s (decoded images, measured after training)</dd></> : null}
            {int(s.embeddingsReused) > 0 && <><dt>Embeddings reused</dt><dd>{count(s.embeddingsReused)}</dd></>}
            <dt>Created</dt><dd>{time(m.createTime)}</dd>
            {m.datasetContentHash && <><dt>Data hash</dt><dd class="mono break">{m.datasetContentHash.slice(0, 16)}…</dd></>}
          </dl>
        </section>
        {(m.operatingPoints ?? []).length > 0 && (
          <section class="card" aria-labelledby="op-title">
            <h2 id="op-title">Operating points</h2>
            <table class="list compact">
              <thead><tr><th scope="col">Name</th><th scope="col" class="num">Threshold</th><th scope="col" class="num">Precision</th><th scope="col" class="num">Recall</th><th scope="col" class="num">F1</th></tr></thead>
              <tbody>
                {m.operatingPoints!.map((p) => (
                  <tr key={p.name}>
                    <th scope="row">{p.name}</th>
                    <td class="num">{fixed(p.scoreThreshold, 2)}</td>
                    <td class="num">{percent(p.precision)}</td>
                    <td class="num">{percent(p.recall)}</td>
                    <td class="num">{fixed(p.f1Score)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </div>
      {curve.length > 0 && (
        <section class="card" aria-labelledby="curve-title">
          <h2 id="curve-title">Training curve</h2>
          <CurveCharts points={curve} />
        </section>
      )}
      {(s.labelCounts ?? []).length > 0 && (
        <section class="card" aria-labelledby="lc-title">
          <h2 id="lc-title">Images trained on</h2>
          <table class="list compact">
            <thead><tr><th scope="col">Label</th><th scope="col" class="num">Train</th><th scope="col" class="num">Validation</th><th scope="col" class="num">Test</th></tr></thead>
            <tbody>
              {s.labelCounts!.map((l) => (
                <tr key={l.label}><th scope="row">{l.label}</th><td class="num">{count(l.train)}</td><td class="num">{count(l.validation)}</td><td class="num">{count(l.test)}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

import { useMemo, useState } from 'preact/hooks';
import { get, namePath } from '../api';
import { LineChart } from '../components/charts';
import { Empty, ErrorBox, Loading, Metric, useAsync } from '../components/common';
import { count, fixed, float, int, percent } from '../format';
import { setQuery } from '../router';
import type { ConfidenceMetricsEntry, Example, MisclassifiedExample, Model, ModelEvaluation } from '../types';
import { ExampleDialog, ExampleTile, examplesFilter } from './DatasetPage';

async function listAll<T>(path: string, key: string, signal: AbortSignal, query: Record<string, string> = {}, limit = 5000): Promise<T[]> {
  const out: T[] = [];
  let pageToken = '';
  do {
    const page = await get<Record<string, unknown>>(path, { ...query, pageSize: 1000, pageToken }, signal);
    out.push(...((page[key] as T[] | undefined) ?? []));
    pageToken = (page.nextPageToken as string | undefined) ?? '';
  } while (pageToken && out.length < limit);
  return out;
}

function sortedEntries(e?: ModelEvaluation): ConfidenceMetricsEntry[] {
  return [...(e?.classificationEvaluationMetrics?.confidenceMetrics ?? [])]
    .sort((a, b) => float(a.confidenceThreshold) - float(b.confidenceThreshold));
}

function nearestIndex(entries: ConfidenceMetricsEntry[], threshold: number): number {
  let best = 0;
  entries.forEach((e, i) => {
    if (Math.abs(float(e.confidenceThreshold) - threshold) < Math.abs(float(entries[best].confidenceThreshold) - threshold)) best = i;
  });
  return best;
}

/** The entry of a per-label table at the same threshold (tables share their thresholds). */
function atThreshold(e: ModelEvaluation, threshold: number): ConfidenceMetricsEntry | undefined {
  const entries = sortedEntries(e);
  if (entries.length === 0) return undefined;
  return entries[nearestIndex(entries, threshold)];
}

const thresholdText = (v: number) => v.toFixed(2);

export function EvaluatePanel({ model, query }: { model: Model; query: URLSearchParams }) {
  const evaluations = useAsync(
    (signal) => listAll<ModelEvaluation>(`${namePath(model.name!)}/modelEvaluations`, 'modelEvaluations', signal),
    [model.name],
  );
  const all = evaluations.data ?? [];
  const overall = all.find((e) => !e.label);
  const perLabel = all.filter((e) => e.label).sort((a, b) => (a.label ?? '').localeCompare(b.label ?? ''));
  const entries = useMemo(() => sortedEntries(overall), [overall]);
  const wanted = query.get('threshold');
  const index = entries.length ? nearestIndex(entries, wanted === null ? 0.5 : Number(wanted)) : 0;
  const entry = entries[index];
  const threshold = entry ? float(entry.confidenceThreshold) : 0.5;
  const metrics = overall?.classificationEvaluationMetrics ?? {};
  const cell = query.get('cell');
  const [openImage, setOpenImage] = useState<{ name: string; caption: string; list: string[] }>();

  if (evaluations.error) return <ErrorBox error={evaluations.error} title="Could not load the evaluation" />;
  if (evaluations.loading && !evaluations.data) return <Loading label="Loading the evaluation" />;
  if (!overall) return <Empty><p>This model has no evaluation.</p></Empty>;

  const setThreshold = (i: number) => setQuery({ threshold: thresholdText(float(entries[i].confidenceThreshold)) });
  const pr = entries.map((e) => [float(e.recall), float(e.precision)] as [number, number]);
  return (
    <div class="evaluate">
      <section class="card" aria-labelledby="summary-title">
        <h2 id="summary-title">On {count(overall.evaluatedExampleCount)} TEST images</h2>
        <div class="metrics">
          <Metric label="AuPRC" value={metrics.auPrc} text={fixed(metrics.auPrc)} hint="area under the precision-recall curve" />
          <Metric label="AuROC" value={metrics.auRoc} text={fixed(metrics.auRoc)} />
          <Metric label="Log loss" value={metrics.logLoss} text={fixed(metrics.logLoss)} />
          <Metric label="Accuracy" value={metrics.accuracy} text={percent(metrics.accuracy)} hint="top-1" />
        </div>
      </section>

      <section class="card" aria-labelledby="threshold-title">
        <h2 id="threshold-title">Score threshold</h2>
        <p class="muted">
          A label counts as predicted when its score is at or above the threshold. Move the slider to see precision and recall
          trade places; the figures are the evaluation table's, at its thresholds.
        </p>
        <div class="slider-row">
          <label for="threshold-slider">Score threshold</label>
          <input
            id="threshold-slider"
            type="range"
            min={0}
            max={Math.max(0, entries.length - 1)}
            step={1}
            value={index}
            aria-valuetext={thresholdText(threshold)}
            onInput={(e) => setThreshold(Number((e.target as HTMLInputElement).value))}
          />
          <output for="threshold-slider" class="threshold-value" aria-label="Selected threshold">
            <data value={String(entry?.confidenceThreshold ?? '')}>{thresholdText(threshold)}</data>
          </output>
        </div>
        {(model.operatingPoints ?? []).length > 0 && (
          <p class="op-buttons">
            Saved operating points:{' '}
            {model.operatingPoints!.map((p) => (
              <button key={p.name} type="button" class="small" onClick={() => setThreshold(nearestIndex(entries, float(p.scoreThreshold)))}>
                {p.name} ({fixed(p.scoreThreshold, 2)})
              </button>
            ))}
          </p>
        )}
        {entry && (
          <div class="metrics four" aria-live="polite">
            <Metric label="Precision" value={entry.precision ?? 0} text={percent(entry.precision)} />
            <Metric label="Recall" value={entry.recall ?? 0} text={percent(entry.recall)} />
            <Metric label="F1" value={entry.f1Score ?? 0} text={fixed(entry.f1Score)} />
            <Metric label="False positive rate" value={entry.falsePositiveRate ?? 0} text={percent(entry.falsePositiveRate)} />
            <Metric label="True positives" value={entry.truePositiveCount ?? 0} text={count(entry.truePositiveCount)} />
            <Metric label="False positives" value={entry.falsePositiveCount ?? 0} text={count(entry.falsePositiveCount)} />
            <Metric label="False negatives" value={entry.falseNegativeCount ?? 0} text={count(entry.falseNegativeCount)} />
            <Metric label="True negatives" value={entry.trueNegativeCount ?? 0} text={count(entry.trueNegativeCount)} />
          </div>
        )}
        {entry && entry.precisionAt1 !== undefined && (
          <p class="muted">
            Counting only each image's top label: precision {percent(entry.precisionAt1)}, recall {percent(entry.recallAt1)}, F1 {fixed(entry.f1ScoreAt1)}.
          </p>
        )}
        <div class="charts">
          <LineChart
            title="Precision-recall curve"
            xLabel="recall" yLabel="precision" xDomain={[0, 1]} yDomain={[0, 1]}
            series={[{ name: 'precision vs recall', color: '#2f6fd6', points: pr }]}
            markers={entry ? [{ x: float(entry.recall), y: float(entry.precision), color: '#d6632f', label: `threshold ${thresholdText(threshold)}` }] : []}
          />
          <LineChart
            title="Precision and recall by threshold"
            xLabel="score threshold" yLabel="" xDomain={[0, 1]} yDomain={[0, 1]} markerX={threshold}
            yFormat={(v) => `${Math.round(v * 100)}%`}
            series={[
              { name: 'precision', color: '#2f6fd6', points: entries.map((e) => [float(e.confidenceThreshold), float(e.precision)]) },
              { name: 'recall', color: '#d6632f', points: entries.map((e) => [float(e.confidenceThreshold), float(e.recall)]) },
            ]}
          />
        </div>
      </section>

      {perLabel.length > 0 && (
        <section class="card" aria-labelledby="labels-title">
          <h2 id="labels-title">By label, at threshold {thresholdText(threshold)}</h2>
          <div class="table-wrap">
            <table class="list compact" aria-label="Metrics by label">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col" class="num">TEST images</th>
                  <th scope="col" class="num">AuPRC</th>
                  <th scope="col" class="num">Precision</th>
                  <th scope="col" class="num">Recall</th>
                  <th scope="col" class="num">F1</th>
                  <th scope="col" class="num">Accuracy</th>
                </tr>
              </thead>
              <tbody>
                {perLabel.map((e) => {
                  const c = atThreshold(e, threshold);
                  const lm = e.classificationEvaluationMetrics ?? {};
                  return (
                    <tr key={e.label}>
                      <th scope="row">{e.label}</th>
                      <td class="num">{count(e.evaluatedExampleCount)}</td>
                      <td class="num">{fixed(lm.auPrc)}</td>
                      <td class="num">{percent(c?.precision)}</td>
                      <td class="num">{percent(c?.recall)}</td>
                      <td class="num">{fixed(c?.f1Score)}</td>
                      <td class="num">{percent(lm.accuracy)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <ConfusionMatrix model={model} overall={overall} cell={cell}
        onOpen={(name, caption, list) => setOpenImage({ name, caption, list })} />

      <Misclassified model={model} items={metrics.misclassified ?? []}
        onOpen={(name, caption, list) => setOpenImage({ name, caption, list })} />

      {openImage && (
        <ExampleDialog
          name={openImage.name}
          labels={model.labels ?? []}
          onClose={() => setOpenImage(undefined)}
          extra={<p class="verdict">{openImage.caption}</p>}
          onPrevious={prevNext(openImage, -1, metrics.misclassified ?? [], setOpenImage)}
          onNext={prevNext(openImage, 1, metrics.misclassified ?? [], setOpenImage)}
        />
      )}
    </div>
  );
}

function prevNext(
  open: { name: string; caption: string; list: string[] },
  step: number,
  misclassified: MisclassifiedExample[],
  set: (v: { name: string; caption: string; list: string[] }) => void,
): (() => void) | undefined {
  const i = open.list.indexOf(open.name);
  const j = i + step;
  if (i < 0 || j < 0 || j >= open.list.length) return undefined;
  const name = open.list[j];
  const wrong = misclassified.find((m) => m.example === name);
  return () => set({ name, caption: wrong ? verdict(wrong) : open.caption, list: open.list });
}

function verdict(m: MisclassifiedExample): string {
  return `true: ${(m.trueLabels ?? []).join(', ')}; predicted: ${(m.predictedLabels ?? []).join(', ') || 'nothing'} (${fixed(m.topScore)})`;
}

function shortVerdict(m: MisclassifiedExample): string {
  return `${(m.trueLabels ?? []).join(', ')} → ${(m.predictedLabels ?? []).join(', ') || 'nothing'} (${fixed(m.topScore, 2)})`;
}

function ConfusionMatrix(
  { model, overall, cell, onOpen }: {
    model: Model;
    overall: ModelEvaluation;
    cell: string | null;
    onOpen: (name: string, caption: string, list: string[]) => void;
  },
) {
  const cm = overall.classificationEvaluationMetrics?.confusionMatrix;
  const labels = cm?.labels ?? [];
  const rows = (cm?.rows ?? []).map((r) => (r.exampleCount ?? []).map(int));
  if (labels.length === 0) return null;
  const [ci, cj] = (cell ?? '').split(',').map(Number);
  const selected = cell !== null && Number.isInteger(ci) && Number.isInteger(cj) && ci < labels.length && cj < labels.length;
  return (
    <section class="card" aria-labelledby="cm-title">
      <h2 id="cm-title">Confusion matrix</h2>
      <p class="muted">Rows are the true labels, columns the model's top label; each cell shows its share of the row. Choose a cell to see the TEST images it counts.</p>
      <div class="table-wrap">
        <table class="heatmap" aria-label="Confusion matrix">
          <thead>
            <tr>
              <td class="corner">true \ predicted</td>
              {labels.map((l) => <th scope="col" key={l}><span>{l}</span></th>)}
            </tr>
          </thead>
          <tbody>
            {labels.map((trueLabel, i) => {
              const rowTotal = rows[i]?.reduce((a, b) => a + b, 0) ?? 0;
              return (
                <tr key={trueLabel}>
                  <th scope="row">{trueLabel}</th>
                  {labels.map((predicted, j) => {
                    const n = rows[i]?.[j] ?? 0;
                    const share = rowTotal ? n / rowTotal : 0;
                    const diagonal = i === j;
                    const hue = diagonal ? '214 64% ' : '14 72% ';
                    const style = { background: n ? `hsl(${hue}${Math.round(96 - share * 52)}%)` : undefined, color: share > 0.55 ? '#fff' : undefined };
                    return (
                      <td key={predicted} class={diagonal ? 'diag' : undefined}>
                        <button
                          type="button"
                          style={style}
                          aria-pressed={selected && ci === i && cj === j}
                          aria-label={`true ${trueLabel}, predicted ${predicted}: ${n} image${n === 1 ? '' : 's'}`}
                          onClick={() => setQuery({ cell: `${i},${j}` })}
                        >
                          <span class="cm-count">{n}</span>
                          <span class="cm-share">{rowTotal ? `${Math.round(share * 100)}%` : ''}</span>
                        </button>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {selected && (
        <CellImages model={model} overall={overall} trueLabel={labels[ci]} predicted={labels[cj]} expected={rows[ci]?.[cj] ?? 0}
          onOpen={onOpen} onClose={() => setQuery({ cell: undefined })} />
      )}
    </section>
  );
}

function CellImages(
  { model, overall, trueLabel, predicted, expected, onOpen, onClose }: {
    model: Model;
    overall: ModelEvaluation;
    trueLabel: string;
    predicted: string;
    expected: number;
    onOpen: (name: string, caption: string, list: string[]) => void;
    onClose: () => void;
  },
) {
  const misclassified = overall.classificationEvaluationMetrics?.misclassified ?? [];
  const diagonal = trueLabel === predicted;
  const images = useAsync(async (signal): Promise<{ name: string; caption: string; short: string }[]> => {
    if (!diagonal) {
      return misclassified
        .filter((m) => (m.trueLabels ?? []).includes(trueLabel) && (m.predictedLabels ?? [])[0] === predicted)
        .map((m) => ({ name: m.example!, caption: verdict(m), short: shortVerdict(m) }));
    }
    // Right answers: the label's TEST images less those the model got wrong.
    const wrong = new Set(misclassified.filter((m) => (m.trueLabels ?? []).includes(trueLabel)).map((m) => m.example));
    const examples = await listAll<Example>(`${namePath(model.dataset!)}/examples`, 'examples', signal,
      { filter: examplesFilter(trueLabel, 'TEST') });
    return examples.filter((e) => !wrong.has(e.name))
      .map((e) => ({ name: e.name!, caption: `true: ${trueLabel}; predicted: ${trueLabel}`, short: `${trueLabel} ✓` }));
  }, [model.name, trueLabel, predicted]);
  const list = images.data ?? [];
  return (
    <div class="cell-images" role="region" aria-labelledby="cell-title">
      <div class="page-head">
        <h3 id="cell-title">
          {list.length && images.data ? `${list.length} ` : ''}TEST image{list.length === 1 ? '' : 's'}: true {trueLabel}, predicted {predicted}
        </h3>
        <button type="button" class="ghost small" onClick={onClose}>Close</button>
      </div>
      <ErrorBox error={images.error} title="Could not list the images" />
      {images.loading && !images.data && <Loading label="Loading images" />}
      {images.data && list.length !== expected && (
        <p class="muted">
          The matrix counts {expected}; {list.length} {list.length === 1 ? 'is' : 'are'} shown
          {diagonal ? ' (the dataset changed since the model was trained)' : ' (the evaluation keeps a limited list of misclassified images)'}.
        </p>
      )}
      {images.data && list.length === 0 && expected === 0 && <p class="muted">No image here.</p>}
      <ul class="thumbs" aria-label={`Images true ${trueLabel}, predicted ${predicted}`}>
        {list.map((img) => (
          <li key={img.name}>
            <ExampleTile example={{ name: img.name }} caption={img.short} description={img.caption}
              onOpen={() => onOpen(img.name, img.caption, list.map((x) => x.name))} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function Misclassified(
  { items, onOpen }: { model: Model; items: MisclassifiedExample[]; onOpen: (name: string, caption: string, list: string[]) => void },
) {
  const [shown, setShown] = useState(48);
  return (
    <section class="card" aria-labelledby="mis-title">
      <h2 id="mis-title">Misclassified TEST images ({count(items.length)})</h2>
      {items.length === 0 ? <p class="muted">None: every TEST image got its label.</p> : (
        <>
          <p class="muted">The most confidently wrong first.</p>
          <ul class="thumbs" aria-label="Misclassified images">
            {items.slice(0, shown).map((m) => (
              <li key={m.example}>
                <ExampleTile example={{ name: m.example }} caption={shortVerdict(m)} description={verdict(m)}
                  onOpen={() => onOpen(m.example!, verdict(m), items.map((x) => x.example!))} />
              </li>
            ))}
          </ul>
          {items.length > shown && <button type="button" onClick={() => setShown(shown + 48)}>Show more</button>}
        </>
      )}
    </section>
  );
}


import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiKey, get, namePath, pollOperation, post } from '../api';
import { CopyButton, ErrorBox, ProgressBar } from '../components/common';
import { enumText, fixed, float, lastPart, millis, percent } from '../format';
import type { Model, Operation, PredictResponse } from '../types';
import { toBase64 } from '../upload';

interface Chosen {
  name: string;
  url: string;
  base64: string;
}

export function PredictPanel({ model, onModelChanged }: { model: Model; onModelChanged: (m?: Model) => void }) {
  const state = model.deploymentState ?? 'UNDEPLOYED';
  const [deployOp, setDeployOp] = useState<Operation>();
  const [deployError, setDeployError] = useState<unknown>();
  const [images, setImages] = useState<Chosen[]>([]);
  const [threshold, setThreshold] = useState(0.5);
  const [topK, setTopK] = useState(0);
  const [operatingPoint, setOperatingPoint] = useState('');
  const [result, setResult] = useState<PredictResponse>();
  const [predictError, setPredictError] = useState<unknown>();
  const [predicting, setPredicting] = useState(false);
  const [dragging, setDragging] = useState(false);
  const urls = useRef<string[]>([]);
  const busy = state === 'LOADING' || state === 'UNLOADING' || (deployOp !== undefined && !deployOp.done);

  // A deployment in progress elsewhere: follow the model's state until it settles.
  useEffect(() => {
    if (!(state === 'LOADING' || state === 'UNLOADING') || deployOp) return;
    const t = setInterval(async () => {
      try {
        onModelChanged(await get<Model>(namePath(model.name!)));
      } catch {
        // The next tick tries again.
      }
    }, 1000);
    return () => clearInterval(t);
  }, [state, deployOp === undefined]);
  useEffect(() => () => urls.current.forEach((u) => URL.revokeObjectURL(u)), []);

  const change = async (verb: 'deploy' | 'undeploy') => {
    setDeployError(undefined);
    try {
      const started = await post<Operation>(`${namePath(model.name!)}:${verb}`, {});
      onModelChanged(await get<Model>(namePath(model.name!)));
      const done = await pollOperation(started, setDeployOp, { intervalMs: 500 });
      if (done.error) setDeployError(new ApiError(done.error, 0));
      setDeployOp(undefined);
      onModelChanged(await get<Model>(namePath(model.name!)));
    } catch (e) {
      setDeployError(e);
      setDeployOp(undefined);
    }
  };

  const params = () => ({
    scoreThreshold: threshold,
    maxPredictions: topK || undefined,
    operatingPoint: operatingPoint || undefined,
  });
  const predict = async (chosen: Chosen[]) => {
    if (chosen.length === 0) return;
    setPredicting(true);
    setPredictError(undefined);
    try {
      setResult(await post<PredictResponse>(`${namePath(model.name!)}:predict`, {
        images: chosen.map((c) => ({ imageBytes: c.base64 })),
        params: params(),
        includeTimings: true,
      }));
    } catch (e) {
      setPredictError(e);
      setResult(undefined);
    } finally {
      setPredicting(false);
    }
  };
  useEffect(() => {
    if (images.length && state === 'AVAILABLE') predict(images);
  }, [threshold, topK, operatingPoint, state === 'AVAILABLE']);

  const choose = async (files: File[]) => {
    const picked = files.filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|gif|bmp|webp|tiff?)$/i.test(f.name));
    if (picked.length === 0) {
      setPredictError(new Error('choose image files (JPEG, PNG, GIF, BMP, WebP)'));
      return;
    }
    urls.current.forEach((u) => URL.revokeObjectURL(u));
    const chosen = await Promise.all(picked.slice(0, 32).map(async (f) => {
      const u = URL.createObjectURL(f);
      return { name: f.name, url: u, base64: toBase64(new Uint8Array(await f.arrayBuffer())) };
    }));
    urls.current = chosen.map((c) => c.url);
    setImages(chosen);
    setResult(undefined);
    predict(chosen);
  };

  const origin = location.origin;
  const p = params();
  const paramsJson = JSON.stringify(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
  const curl = [
    `curl -sS -X POST '${origin}/v1/${model.name}:predict' \\`,
    `  -H 'Content-Type: application/json' \\`,
    ...(apiKey() ? [`  -H "x-api-key: $NIMBUS_API_KEY" \\`] : []),
    `  -d '{"images":[{"imageBytes":"'"$(base64 -w0 photo.jpg)"'"}],"params":${paramsJson},"includeTimings":true}'`,
  ].join('\n');
  const javaParams = [
    operatingPoint ? `.setOperatingPoint("${operatingPoint}")` : `.setScoreThreshold(${threshold}f)`,
    ...(topK ? [`.setMaxPredictions(${topK})`] : []),
  ].join('');
  const java = [
    `try (NimbusClient nimbus = NimbusClient.builder().target("${location.hostname}:8470").build()) {`,
    `  PredictResponse response = nimbus.predictions().predict(PredictRequest.newBuilder()`,
    `      .setName("${model.name}")`,
    `      .addImages(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(Files.readAllBytes(Path.of("photo.jpg")))))`,
    `      .setParams(PredictParams.newBuilder()${javaParams})`,
    `      .build());`,
    `  response.getPredictions(0).getLabelsList().forEach(l -> System.out.printf("%s %.3f%n", l.getLabel(), l.getScore()));`,
    `}`,
  ].join('\n');

  return (
    <div class="predict">
      <section class="card" aria-labelledby="deploy-title">
        <div class="page-head">
          <h2 id="deploy-title">Deployment</h2>
          <div class="actions">
            {(state === 'UNDEPLOYED' || state === 'DEPLOYMENT_FAILED' || state === 'DEPLOYMENT_STATE_UNSPECIFIED') && (
              <button type="button" class="primary" onClick={() => change('deploy')} disabled={busy}>Deploy</button>
            )}
            {(state === 'AVAILABLE' || state === 'LOADING') && (
              <button type="button" onClick={() => change('undeploy')} disabled={busy}>Undeploy</button>
            )}
          </div>
        </div>
        <p role="status" aria-live="polite">
          Deployment state: <strong class={`state state-${state.toLowerCase()}`}>{state === 'AVAILABLE' ? 'deployed (available)' : enumText(state)}</strong>
          {model.deploymentConfig?.device ? ` on ${model.deploymentConfig.device}` : ''}
          {deployOp && !deployOp.done ? ` · ${deployOp.metadata?.statusMessage ?? 'working'}` : ''}
        </p>
        {busy && <ProgressBar label="Deployment progress" value={deployOp?.metadata?.progressPercent ?? 0} indeterminate={!deployOp?.metadata?.progressPercent} />}
        {model.deploymentError && <ErrorBox error={new ApiError(model.deploymentError, 0)} title="The last deployment failed" />}
        <ErrorBox error={deployError} title="Could not change the deployment" />
        {state !== 'AVAILABLE' && <p class="muted">Deploy the model to try it on your own images: it is loaded and warmed up, then serves predictions.</p>}
      </section>

      <section class="card" aria-labelledby="try-title">
        <h2 id="try-title">Test the model</h2>
        <div class="predict-controls">
          <label>
            Score threshold
            <input type="number" min={0} max={1} step={0.01} value={threshold} disabled={operatingPoint !== ''}
              onChange={(e) => setThreshold(Math.min(1, Math.max(0, Number((e.target as HTMLInputElement).value) || 0)))} />
          </label>
          <label>
            Top labels (0 = all)
            <input type="number" min={0} step={1} value={topK}
              onChange={(e) => setTopK(Math.max(0, Math.round(Number((e.target as HTMLInputElement).value) || 0)))} />
          </label>
          {(model.operatingPoints ?? []).length > 0 && (
            <label>
              Operating point
              <select value={operatingPoint} onChange={(e) => setOperatingPoint((e.target as HTMLSelectElement).value)}>
                <option value="">none (use the threshold)</option>
                {model.operatingPoints!.map((o) => <option key={o.name} value={o.name}>{o.name} ({fixed(o.scoreThreshold, 2)})</option>)}
              </select>
            </label>
          )}
        </div>
        <div
          class={`dropzone small${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => { e.preventDefault(); setDragging(false); choose(Array.from(e.dataTransfer?.files ?? [])); }}
        >
          <p>Drop images here, or</p>
          <label class="button primary file-button">
            Choose images
            <input type="file" class="visually-hidden" multiple accept="image/*"
              onChange={(e) => { const i = e.target as HTMLInputElement; choose(Array.from(i.files ?? [])); i.value = ''; }} />
          </label>
          {state !== 'AVAILABLE' && <p class="muted">(the model must be deployed first)</p>}
        </div>
        <ErrorBox error={predictError} title="Prediction failed" />
        {predicting && <p role="status">Predicting…</p>}
        {images.length > 0 && (
          <ul class="predictions" aria-label="Predictions">
            {images.map((img, i) => {
              const labels = result?.predictions?.[i]?.labels ?? [];
              const top = labels[0];
              return (
                <li key={img.url} class="prediction">
                  <img src={img.url} alt={img.name} />
                  <div>
                    <h3 class="break">{img.name}</h3>
                    {result && (top
                      ? <p class="top-label">Top label: <strong>{top.label}</strong> <data value={String(top.score)}>{percent(top.score)}</data></p>
                      : <p class="muted">No label scores at or above the threshold.</p>)}
                    <ul class="scores" aria-label={`Scores of ${img.name}`}>
                      {labels.map((l) => (
                        <li key={l.label}>
                          <span class="bar-label">{l.label}</span>
                          <span class="bar-track" aria-hidden="true"><span class="bar-fill" style={{ width: `${float(l.score) * 100}%` }} /></span>
                          <span class="bar-value">{percent(l.score)}</span>
                        </li>
                      ))}
                    </ul>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
        {result?.timings && (
          <dl class="counts" role="group" aria-label="Timings">
            <div><dt>Decode</dt><dd>{millis(result.timings.decode)}</dd></div>
            <div><dt>Queue</dt><dd>{millis(result.timings.queue)}</dd></div>
            <div><dt>Engine</dt><dd>{millis(result.timings.engine)}</dd></div>
            <div><dt>Total</dt><dd>{millis(result.timings.total)}</dd></div>
            <div><dt>Batch size</dt><dd>{result.timings.batchSize ?? 0}</dd></div>
          </dl>
        )}
      </section>

      <section class="card" aria-labelledby="code-title">
        <h2 id="code-title">The same call from code</h2>
        <div class="snippet">
          <div class="snippet-head"><h3>curl</h3><CopyButton text={curl} label="Copy curl" /></div>
          <pre><code>{curl}</code></pre>
        </div>
        <div class="snippet">
          <div class="snippet-head"><h3>Java SDK</h3><CopyButton text={java} label="Copy Java" /></div>
          <pre><code>{java}</code></pre>
          <p class="muted">
            The SDK talks gRPC: use the server's gRPC port (8470 by default), not this page's. Imports:
            dev.nimbus.client.NimbusClient, dev.nimbus.v1.*, com.google.protobuf.ByteString, java.nio.file.*.
            Model {lastPart(model.name)}.
          </p>
        </div>
      </section>
    </div>
  );
}

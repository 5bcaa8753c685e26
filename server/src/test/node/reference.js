#!/usr/bin/env node
// Independent reference for the Java TF.js importer. Loads a TF.js layers model with TensorFlow.js
// (pure JavaScript CPU backend, no TensorFlow C library involved), runs three deterministic images through it
// and writes what a few layers output to a small JSON fixture.
//
// Usage: node reference.js MODEL_DIR OUT_JSON
// The images are computed by the formula in syntheticImage(); the Java test reproduces it bit for bit.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const tf = require('@tensorflow/tfjs');

const SIZE = 224;
const IMAGES = 3;
const LAYERS = ['Conv1_relu', 'block_3_project_BN', 'block_6_project_BN', 'block_10_project_BN', 'out_relu'];
const SPATIAL_LAYERS = ['Conv1_relu', 'block_3_project_BN', 'block_10_project_BN', 'out_relu'];
const OUTPUT_LAYER = 'dense_3';

// Pixel value q in 0..255 of image k at row y, column x, channel c; the image is q / 255 (float32).
function pixel(k, y, x, c) {
  if (k === 0) return (x + y + 60 * c) & 255; // diagonal ramps with a wrap-around edge
  if (k === 1) return (((x >> 4) ^ (y >> 4)) & 1) ? 40 + 80 * c : 220 - 60 * c; // 16-px colour checkerboard
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(c, -2048144777)) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  const r2 = (x - 100) * (x - 100) + (y - 130) * (y - 130);
  return ((r2 >> 6) * (c + 1) + (h & 63)) & 255; // rings plus hash noise
}

function syntheticImages() {
  const data = new Float32Array(IMAGES * SIZE * SIZE * 3);
  let i = 0;
  for (let k = 0; k < IMAGES; k++)
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) data[i++] = pixel(k, y, x, c) / 255;
  return tf.tensor4d(data, [IMAGES, SIZE, SIZE, 3]);
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function round(v) {
  return Number(v.toPrecision(7));
}

async function main() {
  const [modelDir, outJson] = process.argv.slice(2);
  if (!modelDir || !outJson) {
    console.error('usage: node reference.js MODEL_DIR OUT_JSON');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const modelJsonPath = path.join(modelDir, 'model.json');
  const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const shards = modelJson.weightsManifest.flatMap(g => g.paths);
  const buffers = shards.map(p => fs.readFileSync(path.join(modelDir, p)));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap(g => g.weights),
    weightData,
  }));

  const outputs = [...LAYERS, OUTPUT_LAYER].map(n => model.getLayer(n).output);
  const probe = tf.model({ inputs: model.inputs, outputs });
  const images = syntheticImages();
  const started = Date.now();
  const results = probe.predict(images);
  const elapsed = Date.now() - started;

  const fixture = {
    generatedBy: `src/test/node/reference.js with @tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`,
    model: { modelJsonSha256: sha256(modelJsonPath), shardSha256: shards.map(p => sha256(path.join(modelDir, p))) },
    images: { count: IMAGES, size: SIZE, formula: pixel.toString() },
    layers: {},
    output: { layer: OUTPUT_LAYER, values: [] },
  };
  for (let li = 0; li < LAYERS.length; li++) {
    const t = results[li];
    const [n, h, w, d] = t.shape;
    const v = t.dataSync();
    const entry = { shape: [h, w, d], pooled: [], samples: [] };
    for (let k = 0; k < n; k++) {
      const pooled = new Float64Array(d);
      for (let i = 0; i < h * w; i++)
        for (let c = 0; c < d; c++) pooled[c] += v[(k * h * w + i) * d + c];
      entry.pooled.push(Array.from(pooled, s => round(s / (h * w))));
    }
    if (SPATIAL_LAYERS.includes(LAYERS[li])) {
      // Corners and an off-centre point: corners are where padding mistakes show.
      const positions = [[0, 0], [h - 1, w - 1], [0, w - 1], [h >> 1, Math.floor(w / 3)]];
      const channels = Math.min(d, 96);
      for (let k = 0; k < n; k++)
        for (const [y, x] of positions) {
          const base = ((k * h + y) * w + x) * d;
          entry.samples.push({ image: k, y, x, values: Array.from(v.subarray(base, base + channels), round) });
        }
    }
    fixture.layers[LAYERS[li]] = entry;
  }
  const probs = results[LAYERS.length];
  const p = probs.dataSync();
  const classes = probs.shape[1];
  for (let k = 0; k < IMAGES; k++) fixture.output.values.push(Array.from(p.subarray(k * classes, (k + 1) * classes), round));
  fs.mkdirSync(path.dirname(outJson), { recursive: true });
  fs.writeFileSync(outJson, JSON.stringify(fixture) + '\n');
  console.log(`wrote ${outJson} (tfjs ${tf.version.tfjs}, ${tf.getBackend()} backend, ${IMAGES} images in ${elapsed} ms)`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});

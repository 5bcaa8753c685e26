#!/usr/bin/env node
// Writes a small Teachable-Machine-shaped TF.js layers model (a Sequential holding a Sequential that holds a
// functional model, then a Sequential head) that uses every layer type the Java importer supports, with its
// weights stored in every supported way (float32, float16, uint8- and uint16-quantized; two groups, one split
// into two shards), plus the outputs TensorFlow.js computes for it on two deterministic 12x12 images.
//
// Usage: node synthetic.js OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const SIZE = 12;
const PROBES = ['conv_a', 'bn_a', 'dw', 'relu6_dw', 'b1', 'b2', 'cat', 'add', 'avg', 's2same', 'pooled_cat',
  'flat', 'gap', 'gmp', 'features'];

// Same formula as reference.js (images 0 and 2 of it), at 12x12.
function pixel(k, y, x, c) {
  if (k === 0) return (x + y + 60 * c) & 255;
  if (k === 1) return (((x >> 4) ^ (y >> 4)) & 1) ? 40 + 80 * c : 220 - 60 * c;
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(c, -2048144777)) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  const r2 = (x - 100) * (x - 100) + (y - 130) * (y - 130);
  return ((r2 >> 6) * (c + 1) + (h & 63)) & 255;
}

function images() {
  const ks = [0, 2];
  const data = new Float32Array(ks.length * SIZE * SIZE * 3);
  let i = 0;
  for (const k of ks)
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) data[i++] = pixel(k, y, x, c) / 255;
  return tf.tensor4d(data, [ks.length, SIZE, SIZE, 3]);
}

function featureNet() {
  const L = tf.layers;
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  let a = L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'pad' }).apply(input);                  // 13x13x3
  a = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'conv_a' }).apply(a); // 6x6x8
  a = L.batchNormalization({ epsilon: 1e-3, scale: false, name: 'bn_a' }).apply(a);
  let d = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: true, name: 'dw' }).apply(a); // 6x6x16
  d = L.reLU({ maxValue: 6, name: 'relu6_dw' }).apply(d);
  const b1 = L.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'b1' }).apply(d);
  let b2 = L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'mp' }).apply(d);
  b2 = L.conv2d({ filters: 4, kernelSize: 1, activation: 'sigmoid', name: 'b2' }).apply(b2);
  const cat = L.concatenate({ name: 'cat' }).apply([b1, b2]);                                           // 6x6x8
  const c2 = L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'c2' }).apply(d);
  const add = L.add({ name: 'add' }).apply([cat, c2]);
  const bn2 = L.batchNormalization({ name: 'bn_add' }).apply(add);
  const avg = L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'avg' }).apply(bn2); // 3x3x8
  const s2 = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6', name: 's2same' }).apply(d); // 3x3x4
  const act = L.activation({ activation: 'softmax', name: 'act_softmax' }).apply(s2);
  const pooledCat = L.concatenate({ axis: -1, name: 'pooled_cat' }).apply([avg, act]);                 // 3x3x12
  const r = L.reshape({ targetShape: [9, 12], name: 'reshape' }).apply(pooledCat);
  const flat = L.flatten({ name: 'flat' }).apply(r);                                                     // 108
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(pooledCat);                                // 12
  const gmp = L.globalMaxPooling2d({ name: 'gmp' }).apply(d);                                            // 16
  const features = L.concatenate({ name: 'features' }).apply([flat, gap, gmp]);                          // 136
  return tf.model({ inputs: input, outputs: features, name: 'feature_net' });
}

function build() {
  const inner = featureNet();
  const base = tf.sequential({ name: 'sequential_1', layers: [inner] });
  const head = tf.sequential({
    name: 'sequential_3',
    layers: [
      tf.layers.dense({ inputShape: [136], units: 6, activation: 'relu', name: 'dense_Dense1' }),
      tf.layers.dropout({ rate: 0.5, name: 'dropout_Dropout1' }),
      tf.layers.dense({ units: 3, activation: 'softmax', useBias: true, name: 'dense_Dense2' }),
    ],
  });
  const model = tf.sequential({ name: 'sequential_4', layers: [base, head] });
  // Random weights everywhere, including BatchNormalization statistics (variance kept positive).
  let seed = 1;
  for (const w of model.weights) {
    const isVar = w.name.includes('moving_variance');
    const t = isVar ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed++) : tf.randomUniform(w.shape, -0.5, 0.5, 'float32', seed++);
    w.write(t);
  }
  return { model, inner };
}

// Re-encodes the weights: every 4th float16, every 4th uint8, every 4th uint16 (with min/scale), the rest float32.
function encode(specs, data) {
  const floats = new Float32Array(data);
  let offset = 0;
  const out = [];
  const chunks = [];
  specs.forEach((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = floats.subarray(offset, offset + n);
    offset += n;
    const kind = ['float32', 'float16', 'uint8', 'uint16'][i % 4];
    if (kind === 'float32') {
      out.push({ name: s.name, shape: s.shape, dtype: 'float32' });
      chunks.push(Buffer.from(new Float32Array(v).buffer));
    } else if (kind === 'float16') {
      out.push({ name: s.name, shape: s.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      const b = Buffer.alloc(2 * n);
      for (let j = 0; j < n; j++) b.writeUInt16LE(toHalf(v[j]), 2 * j);
      chunks.push(b);
    } else {
      const levels = kind === 'uint8' ? 255 : 65535;
      let min = Infinity, max = -Infinity;
      for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); }
      const scale = max > min ? (max - min) / levels : 1;
      out.push({ name: s.name, shape: s.shape, dtype: 'float32', quantization: { dtype: kind, min, scale } });
      const b = Buffer.alloc((kind === 'uint8' ? 1 : 2) * n);
      for (let j = 0; j < n; j++) {
        const q = Math.round((v[j] - min) / scale);
        if (kind === 'uint8') b.writeUInt8(q, j); else b.writeUInt16LE(q, 2 * j);
      }
      chunks.push(b);
    }
  });
  return { specs: out, chunks };
}

function round(v) {
  return Number(v.toPrecision(7));
}

function toHalf(f) {
  const fb = new Float32Array([f]);
  const bits = new Uint32Array(fb.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  let exp = ((bits >>> 23) & 0xff) - 127 + 15;
  let mant = bits & 0x7fffff;
  if (exp <= 0) { // subnormal half
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - exp);
    return sign | ((mant + 0x1000) >>> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  const h = sign | (exp << 10) | (mant >>> 13);
  return (mant & 0x1000) ? h + 1 : h; // round half up
}

async function main() {
  const outDir = process.argv[2];
  if (!outDir) { console.error('usage: node synthetic.js OUT_DIR'); process.exit(2); }
  await tf.setBackend('cpu');
  const { model } = build();
  let artifacts;
  await model.save(tf.io.withSaveHandler(async a => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const { specs, chunks } = encode(artifacts.weightSpecs, artifacts.weightData);
  // Two groups: the first half of the weights split over two shard files, the rest in one.
  const half = Math.ceil(specs.length / 2);
  const g1 = Buffer.concat(chunks.slice(0, half));
  const g2 = Buffer.concat(chunks.slice(half));
  const cut = Math.floor(g1.length / 2);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'group1-shard1of2.bin'), g1.subarray(0, cut));
  fs.writeFileSync(path.join(outDir, 'group1-shard2of2.bin'), g1.subarray(cut));
  fs.writeFileSync(path.join(outDir, 'group2-shard1of1.bin'), g2);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: 'src/test/node/synthetic.js',
    modelTopology: artifacts.modelTopology,
    weightsManifest: [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs.slice(0, half) },
      { paths: ['group2-shard1of1.bin'], weights: specs.slice(half) },
    ],
  };
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(modelJson));

  // Reload what was written (so the reference sees the dequantized weights) and probe inner layers.
  const all = Buffer.concat([g1, g2]);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  }));
  const inner = loaded.getLayer('sequential_1').getLayer('feature_net');
  const probe = tf.model({ inputs: inner.inputs, outputs: PROBES.map(n => inner.getLayer(n).output) });
  const x = images();
  const outs = probe.predict(x);
  const expected = { images: { formulaImages: [0, 2], size: SIZE }, layers: {} };
  PROBES.forEach((n, i) => { expected.layers[n] = { shape: outs[i].shape.slice(1), values: Array.from(outs[i].dataSync(), round) }; });
  const y = loaded.predict(x);
  expected.output = { shape: y.shape.slice(1), values: Array.from(y.dataSync(), round) };
  expected.weightNames = specs.map(s => s.name);
  fs.writeFileSync(path.join(outDir, 'expected.json'), JSON.stringify(expected));
  console.log(`wrote ${outDir}: ${specs.length} weights, ${all.length} bytes; output ${JSON.stringify(expected.output.values)}`);
}

main().catch(e => { console.error(e); process.exit(1); });

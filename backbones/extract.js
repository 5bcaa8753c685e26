#!/usr/bin/env node
// Turns the browserify bundles shipped in nsfwjs (model.min.js exports the TF.js model.json object,
// group1-shard1of1.min.js exports the base64 text of the weight shard) into a standard TF.js
// layers model: OUT_DIR/model.json + OUT_DIR/group1-shard1of1.bin.
//
// Usage: node extract.js OUT_DIR [MODEL_DIR]
//   MODEL_DIR defaults to node_modules/nsfwjs/dist/models/mobilenet_v2 next to this script.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const BYTES = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1, bool: 1 };

// Evaluates a UMD/browserify bundle in a sandbox and returns what it assigns to module.exports.
// A sandbox instead of require(): the bundles live in an ES-module package ("type": "module"),
// and require() only works thanks to a nested package.json that a later release might drop.
function loadBundle(file) {
  const src = fs.readFileSync(file, 'utf8');
  const module = { exports: {} };
  vm.runInNewContext(src, { module, exports: module.exports }, { filename: file });
  return module.exports;
}

function expectedBytes(weights) {
  let total = 0;
  for (const w of weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const dtype = w.quantization ? w.quantization.dtype : w.dtype;
    if (!(dtype in BYTES)) throw new Error(`weight ${w.name}: unsupported dtype ${dtype}`);
    total += n * BYTES[dtype];
  }
  return total;
}

function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: node extract.js OUT_DIR [MODEL_DIR]');
    process.exit(2);
  }
  const modelDir = process.argv[3] ||
    path.join(__dirname, 'node_modules', 'nsfwjs', 'dist', 'models', 'mobilenet_v2');
  const model = loadBundle(path.join(modelDir, 'model.min.js'));
  if (!model || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
    throw new Error(`${modelDir}/model.min.js did not export a TF.js model.json object`);
  }
  const groups = model.weightsManifest;
  if (groups.length !== 1 || groups[0].paths.length !== 1) {
    throw new Error(`expected one weight group with one shard, got ${JSON.stringify(groups.map(g => g.paths))}`);
  }
  const b64 = loadBundle(path.join(modelDir, 'group1-shard1of1.min.js'));
  if (typeof b64 !== 'string') {
    throw new Error(`${modelDir}/group1-shard1of1.min.js did not export a base64 string`);
  }
  const bytes = Buffer.from(b64, 'base64');
  const want = expectedBytes(groups[0].weights);
  if (bytes.length !== want) {
    throw new Error(`shard has ${bytes.length} bytes, the manifest describes ${want}`);
  }
  const shardName = 'group1-shard1of1.bin';
  const out = {
    format: model.format || 'layers-model',
    generatedBy: model.generatedBy || `keras v${model.modelTopology.keras_version || '?'}`,
    convertedBy: 'nimbus backbones/extract.js from npm nsfwjs@4.4.0 (MIT)',
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths: [shardName], weights: groups[0].weights }],
  };
  fs.mkdirSync(outDir, { recursive: true });
  // Write to temporary names and rename, so a half-written model is never picked up.
  const tmpBin = path.join(outDir, shardName + '.tmp');
  const tmpJson = path.join(outDir, 'model.json.tmp');
  fs.writeFileSync(tmpBin, bytes);
  fs.writeFileSync(tmpJson, JSON.stringify(out));
  fs.renameSync(tmpBin, path.join(outDir, shardName));
  fs.renameSync(tmpJson, path.join(outDir, 'model.json'));
  console.log(`extracted ${groups[0].weights.length} weight tensors (${bytes.length} bytes) to ${outDir}`);
}

try {
  main();
} catch (e) {
  console.error(`extract.js: ${e.message}`);
  process.exit(1);
}

/**
 * Importer for TF.js / Keras layers models (model.json + binary weight shards, as tfjs-converter, TF.js
 * {@code model.save()} and Teachable Machine write them): topology parsing with nested models flattened, weight
 * decoding (float32, float16, uint8/uint16 quantization), static shapes in Java, and graph building with TF-Java ops.
 */
package dev.nimbus.server.training.tfjs;

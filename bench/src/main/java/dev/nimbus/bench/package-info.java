/**
 * Benchmarks over the real gRPC API ({@code bench/run import|fashion-mnist|upload|console-grid|serving}): load generation (over gRPC,
 * or over the HTTP port's REST/JSON API for serving: {@link dev.nimbus.bench.PredictTransport}), latency
 * statistics and the comparisons with the engine alone and between transports. Not tests; they write their
 * results to {@code bench/results}.
 */
package dev.nimbus.bench;

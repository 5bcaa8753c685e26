/**
 * Benchmarks over the real gRPC API ({@code bench/run import|fashion-mnist|serving}): load generation, latency
 * statistics and the comparisons with the engine alone. Not tests; they write their results to
 * {@code bench/results}.
 */
package dev.nimbus.bench;

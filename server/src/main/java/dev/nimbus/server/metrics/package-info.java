/**
 * The Prometheus registry and its {@code /metrics} endpoint ({@link dev.nimbus.server.metrics.ServerMetrics}):
 * calls, latency per stage, batch sizes, queue depth and refusals. Knows nothing of gRPC (the interceptor that
 * counts calls is in {@code grpc.interceptor}) or of the domain.
 */
package dev.nimbus.server.metrics;

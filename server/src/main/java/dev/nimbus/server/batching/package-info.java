/**
 * Dynamic batching for predictions, with no framework imports (the gRPC and DJL adapters live elsewhere).
 *
 * <p>A predict request of k images is k tasks on its model's {@link dev.nimbus.server.batching.ModelQueue}.
 * A {@link dev.nimbus.server.batching.BatchScheduler} owns a fixed set of batch threads shared by all models; a
 * thread takes a batch of up to {@code maxBatchSize} tasks from the head of a queue once that many are waiting or
 * the oldest has waited {@code maxBatchDelay}, visiting the queues round-robin, and runs it in one call of its own
 * {@link dev.nimbus.server.batching.BatchRunner} for that model. Each request's future gets its outputs back in
 * input order, even when its tasks were spread over several batches. A full queue refuses at once; a request whose
 * deadline passed, or that was cancelled, is dropped before the engine sees it. Time comes from an injected
 * {@link dev.nimbus.server.batching.Ticker}, and a scheduler with no threads is driven by the test itself.
 */
package dev.nimbus.server.batching;

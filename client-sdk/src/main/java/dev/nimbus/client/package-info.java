/**
 * The Java client of Nimbus, a self-hosted AutoML Vision: {@link dev.nimbus.client.NimbusClient} and its typed
 * clients for datasets, models, predictions and long-running operations.
 *
 * <p>Conventions throughout: calls block unless named {@code ...Async}; failed calls throw grpc's
 * {@link io.grpc.StatusRuntimeException} unwrapped ({@link dev.nimbus.client.NimbusErrors#describe} makes a line
 * for people of it); slow methods return an {@link dev.nimbus.client.OperationFuture}; List methods return a
 * {@link dev.nimbus.client.PagedIterable} that fetches pages as iteration reaches them; resources may be named by
 * id or by full name (see {@link dev.nimbus.client.Names}).
 */
package dev.nimbus.client;

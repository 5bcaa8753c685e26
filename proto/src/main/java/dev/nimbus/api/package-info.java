/**
 * Facts about the {@code nimbus.v1} API that the server and the client SDK both need and that the protos
 * declare, read from the descriptors so they are written once: {@link dev.nimbus.api.Idempotency} (which methods
 * only read, which are safe to retry).
 */
package dev.nimbus.api;

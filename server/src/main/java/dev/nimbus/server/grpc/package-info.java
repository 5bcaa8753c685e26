/**
 * The gRPC adapters: one {@code *GrpcService} per service, which converts the request, delegates to a domain
 * manager and sends the answer, nothing else; and {@link dev.nimbus.server.grpc.StatusMapping}, which closes a
 * failed call with the status {@link dev.nimbus.server.error.ErrorStatus} gives. The only package (with its
 * interceptors and the composition root) that imports {@code io.grpc}.
 */
package dev.nimbus.server.grpc;

/**
 * The HTTP port (Armeria): the web console's static files at {@code /}, the REST/JSON API under {@code /v1/}
 * transcoded from the {@code google.api.http} annotations of the protos, and gRPC (and gRPC-Web) as well. Every
 * REST call is a call of the very gRPC service definitions the gRPC port serves, with the same interceptors (auth,
 * concurrency limit, metrics, status mapping), so no RPC has a second implementation; this package only turns
 * statuses into HTTP responses ({@link dev.nimbus.server.http.RestErrors}) and serves what is not an RPC: the
 * console and the raw image bytes of an example ({@link dev.nimbus.server.http.ExampleImageService}, itself a
 * ReadExampleImage call). It may use the {@code grpc} adapters' interceptors and the API protos; the domain is
 * reached only through those RPCs.
 */
package dev.nimbus.server.http;

/**
 * What every call goes through, outermost first: access log, metrics, the concurrency limit (RESOURCE_EXHAUSTED at
 * once beyond it), API keys and roles (the roles read from the protos' idempotency levels), and status mapping.
 * Each interceptor does one thing; identity travels in the gRPC {@code Context}.
 */
package dev.nimbus.server.grpc.interceptor;

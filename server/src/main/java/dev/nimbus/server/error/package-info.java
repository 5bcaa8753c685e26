/**
 * Failures as callers see them. {@link dev.nimbus.server.error.ApiException} is a failure meant for the caller: a
 * {@code google.rpc.Code}, a sentence a person can act on, and the standard {@code google.rpc} details
 * ({@code BadRequest}, {@code ErrorInfo}, {@code ResourceInfo}, {@code RetryInfo}) a program can act on.
 * {@link dev.nimbus.server.error.ErrorStatus#of} is the one function that turns any throwable into a
 * {@code google.rpc.Status}: RPC errors, an operation's {@code error} and its partial failures all come from it,
 * so they carry the same details, and an unexpected failure (an {@code Error} too) is INTERNAL with a reference
 * that is also in the server log, never a class name, a path or a stack trace.
 *
 * <p>Uses nothing of the server and no gRPC classes: everything from the adapters down may throw these.
 */
package dev.nimbus.server.error;

/**
 * Long-running operations: {@link dev.nimbus.server.operation.OperationManager} starts, tracks, cancels, waits for
 * and resumes them; every operation is a database row from the moment its RPC returns, and a handler
 * ({@link dev.nimbus.server.operation.OperationHandler}) commits its work with its progress. May use storage, error
 * and util; the domain packages register their handlers here.
 */
package dev.nimbus.server.operation;

/**
 * Serving: the registry of deployed models ({@link dev.nimbus.server.serving.Deployments}), each a
 * {@link dev.nimbus.server.serving.DeployedModel} (the loaded SavedModel, its batch queue, one engine runner per
 * batch thread); DeployModel and UndeployModel; Predict ({@link dev.nimbus.server.serving.Predictions}: admit,
 * decode, queue, respond) and BatchPredict. A domain package: it may use model, dataset, operation, batching, engine,
 * image, metrics, storage, error, util, config and the API messages; never the adapters.
 */
package dev.nimbus.server.serving;

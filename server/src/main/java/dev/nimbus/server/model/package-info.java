/**
 * The model use cases behind ModelService, but deploying: CreateModel (snapshot the dataset, train through
 * {@link dev.nimbus.server.training.ClassifierTrainer}, evaluate the TEST split, publish files and rows in one
 * commit: {@link dev.nimbus.server.model.CreateModelHandler}), reading models and their evaluations, export and
 * delete; the model store, the model files and the embedding cache's table. {@link dev.nimbus.server.model.Models}
 * is the entry point. A domain package: it may use dataset, operation, training, engine (its exceptions),
 * evaluation, storage, error, util, config and the API messages; never serving or the adapters.
 */
package dev.nimbus.server.model;

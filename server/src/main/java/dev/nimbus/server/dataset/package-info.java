/**
 * The dataset use cases behind DatasetService: create, read, update, delete; CSV import (parsing, URI rules,
 * validation, per-row failures, split assignment) as a long-running operation; export in AutoML Vision's layout
 * ({@link dev.nimbus.server.dataset.ExportDataHandler}); label statistics; the CSV
 * snapshots operations read; and the images a batch prediction names ({@link dev.nimbus.server.dataset.NamedImage}).
 * {@link dev.nimbus.server.dataset.Datasets} is the entry point. A domain package: it may use operation, storage,
 * image, error, util, config and the API messages; never the gRPC adapters, serving or model.
 */
package dev.nimbus.server.dataset;

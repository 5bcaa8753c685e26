/**
 * Cloud AutoML's API ({@code google.cloud.automl.v1}: {@code AutoMl}, {@code PredictionService}, and AutoML's
 * view of {@code google.longrunning.Operations}) for image classification, as an adapter over the native domain
 * managers: AutoML's messages in, the native request to the same manager, AutoML's messages out. Names are
 * AutoML's ({@code projects/{p}/locations/{l}/...}, any project and location), ids are Nimbus's.
 */
package dev.nimbus.server.grpc.automl;

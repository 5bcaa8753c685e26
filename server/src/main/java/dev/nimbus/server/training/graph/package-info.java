/**
 * TensorFlow graph building blocks the trainers and the exporter share: layers with their trained values
 * ({@link dev.nimbus.server.training.graph.DenseLayer}, {@link dev.nimbus.server.training.graph.ConvLayer},
 * {@link dev.nimbus.server.training.graph.ClassifierHead}), seeded initial weights, variables set from Java, the
 * losses and Adam. Uses TF-Java only.
 */
package dev.nimbus.server.training.graph;

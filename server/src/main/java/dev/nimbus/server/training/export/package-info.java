/**
 * Writes a trained classifier as one self-contained TF SavedModel ({@link
 * dev.nimbus.server.training.export.ClassifierExporter}): trained values as constants, the backbone's graph rebuilt
 * inside, two signatures ({@code serving_default} on uint8 pixels, {@code image_bytes} on one encoded image) that
 * DJL, TF-Java, TF Serving and Python TF all load. Uses graph, backbone and engine.
 */
package dev.nimbus.server.training.export;

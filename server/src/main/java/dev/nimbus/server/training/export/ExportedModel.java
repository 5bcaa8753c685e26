package dev.nimbus.server.training.export;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A SavedModel written by {@link ClassifierExporter}.
 *
 * @param directory holds {@code saved_model.pb}, {@code variables/} and {@code labels.txt}; the caller may add
 *     files such as a JSON model card next to them
 * @param sizeBytes total size of the files written
 * @param took time to build the inference graph and write it
 */
public record ExportedModel(Path directory, long sizeBytes, Duration took) {}

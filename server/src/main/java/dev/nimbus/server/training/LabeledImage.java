package dev.nimbus.server.training;

/**
 * One stored image to train or test on.
 *
 * @param sha256 its content hash, by which {@link TrainingJob.ImageSource} reads it and embeddings are cached
 * @param labels indices into the job's labels, sorted (one for MULTICLASS)
 * @param mimeType how it is encoded (WebP and TIFF are transcoded before TF decodes them)
 */
public record LabeledImage(String sha256, int[] labels, String mimeType, int width, int height) {}

package dev.nimbus.server.storage;

import java.util.Collection;

/** A {@code gs://} URI names a bucket this server has no copy of; the message says how an administrator adds one. */
public final class UnmappedBucketException extends Exception {
  private final String bucket;

  public UnmappedBucketException(String bucket, Collection<String> mapped) {
    super("bucket '" + bucket + "' is not mapped on this server: copy it to the server (gsutil -m cp -r gs://"
        + bucket + " DIR puts it in DIR/" + bucket + ") and start the server with --gcs-bucket " + bucket + "=DIR/"
        + bucket + " (setting gcs-buckets); " + (mapped.isEmpty() ? "no bucket is mapped now"
        : "mapped now: " + String.join(", ", mapped)), null, false, false);
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }
}

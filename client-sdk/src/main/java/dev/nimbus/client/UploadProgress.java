package dev.nimbus.client;

/**
 * How far an upload has come.
 *
 * @param stage what it is doing now
 * @param imagesDone images hashed (HASHING) or on the server (UPLOADING)
 * @param imagesTotal images the CSV names on this machine
 * @param bytesSent image bytes sent so far
 * @param bytesToSend image bytes the server lacked when the upload started
 */
public record UploadProgress(Stage stage, int imagesDone, int imagesTotal, long bytesSent, long bytesToSend) {
  public enum Stage {
    /** Reading and hashing the images (SHA-256). */
    HASHING,
    /** Sending what the server lacks. */
    UPLOADING
  }
}

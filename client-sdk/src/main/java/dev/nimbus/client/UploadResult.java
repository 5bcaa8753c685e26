package dev.nimbus.client;

import dev.nimbus.v1.ImportDataResponse;
import java.util.List;

/**
 * What an upload did, and the import it started.
 *
 * @param images images the CSV names on this machine
 * @param imagesSent images whose bytes (some or all) were sent; the others the server had already, whole or in part
 * @param bytesSent image bytes sent (a resumed image counts only what was still missing)
 * @param unreadable URIs of local files that were missing, empty, unreadable or not images here (only images are
 *     sent); their rows fail in the import
 * @param operation the ImportData operation
 */
public record UploadResult(int images, int imagesSent, long bytesSent, List<String> unreadable,
    OperationFuture<ImportDataResponse> operation) {
  public UploadResult {
    unreadable = List.copyOf(unreadable);
  }
}

package dev.nimbus.server.dataset;

import com.google.rpc.Status;

/**
 * An image a caller named by reference, for work that reads many (BatchPredict): a CSV row's URI, read with the
 * import's rules, or a stored example. Either {@code bytes} or {@code failure} is set.
 *
 * @param row the CSV line, or the example's position in the listing (1-based)
 * @param uri the CSV row's URI, or null for an example
 * @param example the example's resource name, or null for a CSV row
 * @param failure why it could not be read, as the row's partial failure
 */
public record NamedImage(long row, String uri, String example, byte[] bytes, Status failure) {

  /** The partial failure of an image that was read but cannot be decoded. */
  public Status undecodable(String why) {
    return new RowFailure(row, uri == null ? example : uri, RowFailure.Reason.CORRUPT_IMAGE, why).toStatus();
  }
}

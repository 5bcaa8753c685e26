package dev.nimbus.client;

/**
 * What {@link DatasetsClient#readImage(String, java.io.OutputStream)} wrote.
 *
 * @param mimeType e.g. {@code image/jpeg}
 * @param sizeBytes the bytes written, equal to the size the server announced
 */
public record ImageInfo(String mimeType, long sizeBytes) {}

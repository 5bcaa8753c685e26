/**
 * The embedded stores: {@link dev.nimbus.server.storage.Database} (SQLite in WAL mode, migrations, one writer and
 * readers), {@link dev.nimbus.server.storage.BlobStore} (content-addressed files, written durably before the rows
 * that name them commit) and {@link dev.nimbus.server.storage.DataDirectory} (layout and lock). Construction does
 * no I/O; {@code open()}/{@code lock()} do. {@link dev.nimbus.server.storage.BucketMapping} says where the objects of
 * {@code gs://} buckets are ({@link dev.nimbus.server.storage.FolderBuckets}: copies in local folders), and
 * {@link dev.nimbus.server.storage.GcsUri} is the one parser of such URIs. Uses nothing of the server but error's
 * summaries and config's bucket-name rule.
 */
package dev.nimbus.server.storage;

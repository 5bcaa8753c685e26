/**
 * The embedded stores: {@link dev.nimbus.server.storage.Database} (SQLite in WAL mode, migrations, one writer and
 * readers), {@link dev.nimbus.server.storage.BlobStore} (content-addressed files, written durably before the rows
 * that name them commit) and {@link dev.nimbus.server.storage.DataDirectory} (layout and lock). Construction does
 * no I/O; {@code open()}/{@code lock()} do. Uses nothing of the server but error's summaries.
 */
package dev.nimbus.server.storage;

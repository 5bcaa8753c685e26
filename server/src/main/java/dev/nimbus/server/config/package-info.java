/**
 * Server settings: {@link dev.nimbus.server.config.ServerConfig} (validated records) and
 * {@link dev.nimbus.server.config.ConfigLoader} (defaults, properties file, {@code NIMBUS_*} environment, flags).
 * Uses nothing of the server; everything may read it.
 */
package dev.nimbus.server.config;

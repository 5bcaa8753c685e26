/**
 * The composition root: {@link dev.nimbus.server.NimbusServer} wires every package together and owns the
 * server's lifecycle (start opens, close drains and joins); {@link dev.nimbus.server.NimbusServerMain} runs it from
 * flags. Nothing else depends on this package.
 */
package dev.nimbus.server;

/**
 * Small helpers the domain and the adapters share: resource names and their validation, list paging and the filter
 * language, protobuf time conversions, server paths and where the server may write for a caller
 * ({@link dev.nimbus.server.util.OutputPaths}, used by every export). Uses error and config only.
 */
package dev.nimbus.server.util;

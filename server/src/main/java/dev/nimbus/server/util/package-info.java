/**
 * Small helpers the domain and the adapters share: resource names and their validation, list paging and the filter
 * language, protobuf time conversions. Uses error only.
 */
package dev.nimbus.server.util;

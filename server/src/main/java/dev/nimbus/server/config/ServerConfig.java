package dev.nimbus.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the server can be told, validated once by {@link ConfigLoader}. Defaults are chosen so that
 * {@code nimbus server} with no flags is useful and safe on one machine: loopback only, no auth needed there.
 *
 * @param host address to bind; {@code 127.0.0.1} by default, {@code 0.0.0.0} to serve other machines
 * @param port TCP port of gRPC; 0 picks a free one
 * @param httpPort TCP port of the console and the REST API, on the same host; 0 picks a free one, -1 turns it off
 * @param dataDir the data directory: metadata database and image blobs
 * @param importRoots folders imports may read from; empty means "the CSV's own folder"
 * @param exportRoots folders model exports may write to; empty means anywhere, on a loopback-only server
 * @param httpImport whether and from which hosts {@code http(s)://} image URIs may be fetched
 * @param limits request and image size limits
 * @param threads thread pool sizes
 * @param serving deployment, batching and metrics settings
 * @param apiKeys API key to role; empty disables authentication
 * @param tls certificate chain and private key (PEM) to serve TLS; empty serves plaintext
 * @param gcsBuckets Cloud Storage bucket name -> the folder that is its root ({@code gs://NAME/a/b.jpg} is
 *     {@code FOLDER/a/b.jpg}), in the order given; names valid ({@link BucketNames}), folders existing, absolute
 */
public record ServerConfig(
    String host,
    int port,
    int httpPort,
    Path dataDir,
    List<Path> importRoots,
    List<Path> exportRoots,
    HttpImport httpImport,
    Limits limits,
    Threads threads,
    Serving serving,
    Map<String, Role> apiKeys,
    Optional<Tls> tls,
    Map<String, Path> gcsBuckets) {

  public ServerConfig {
    importRoots = List.copyOf(importRoots);
    exportRoots = List.copyOf(exportRoots);
    apiKeys = Map.copyOf(apiKeys);
    gcsBuckets = Collections.unmodifiableMap(new LinkedHashMap<>(gcsBuckets)); // Map.copyOf would lose the order
  }

  /** Whether image URIs may be fetched over HTTP(S), and from which hosts ({@code host} or {@code host:port}). */
  public record HttpImport(boolean enabled, List<String> allowedHosts, Duration timeout) {
    public HttpImport {
      allowedHosts = List.copyOf(allowedHosts);
    }
  }

  /**
   * @param maxImageBytes largest accepted image file
   * @param maxImagePixels largest accepted width x height, read from the header before decoding
   * @param maxImageSide largest accepted width or height
   * @param maxCsvBytes largest accepted import CSV
   * @param maxMessageBytes largest accepted gRPC request message
   * @param maxConcurrentCalls calls in flight before new ones are refused with RESOURCE_EXHAUSTED
   */
  public record Limits(long maxImageBytes, long maxImagePixels, int maxImageSide, long maxCsvBytes,
      int maxMessageBytes, int maxConcurrentCalls) {}

  /**
   * @param handlerThreads threads running RPC handlers (never Netty's event loops)
   * @param importThreads threads fetching, validating, hashing and storing imported images; more than the cores,
   *     because much of their time is spent waiting for files to reach the disk (fsync)
   * @param importDecoders images fully decoded at once during imports (decoding is CPU and memory heavy)
   * @param concurrentOperations long-running operations executing at once; later ones wait their turn
   */
  public record Threads(int handlerThreads, int importThreads, int importDecoders, int concurrentOperations) {}

  public record Tls(Path certChain, Path privateKey) {}

  /**
   * @param device {@code cpu} or {@code gpu:N}
   * @param maxBatchSize default largest batch per engine call
   * @param maxBatchDelay default longest wait for a batch to fill
   * @param batchThreads threads running batches, shared by every deployed model
   * @param maxQueuedImages default images waiting per model before new requests are refused
   * @param maxImagesPerRequest images one Predict request may carry
   * @param decodeThreads Predict decode workers (TF-graph decode and resize) and WebP/TIFF transcoding threads
   * @param maxLoadedModels models deployed (loaded) at once; a deployment beyond it is refused
   * @param maxLoadedModelBytes total size on disk of the deployed models
   * @param resultCacheSize entries of the result cache (for models deployed with it)
   * @param metricsPort the Prometheus endpoint's port; empty: off
   */
  public record Serving(String device, int maxBatchSize, Duration maxBatchDelay, int batchThreads,
      int maxQueuedImages, int maxImagesPerRequest, int decodeThreads, int maxLoadedModels, long maxLoadedModelBytes,
      int resultCacheSize, Optional<Integer> metricsPort) {}

  /** Whether the server only listens on a loopback address (so only this machine's users reach it). */
  public boolean loopbackOnly() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** What an API key may do. */
  public enum Role {
    /** Get, List, Wait, Read and Predict calls. */
    READER,
    /** Everything. */
    ADMIN
  }
}

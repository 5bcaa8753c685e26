package dev.nimbus.client;

import static dev.nimbus.client.Checks.requireApiKey;
import static dev.nimbus.client.Checks.requireArgument;
import static dev.nimbus.client.Checks.requirePositive;
import static dev.nimbus.client.Checks.requireState;
import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point of the Nimbus SDK: typed clients for datasets, models, predictions and operations over one
 * grpc channel.
 *
 * <pre>{@code
 * try (NimbusClient nimbus = NimbusClient.builder().target("nimbus.internal:8470").tls().apiKey(key).build()) {
 *   Dataset clouds = nimbus.datasets().get("clouds");
 * }
 * }</pre>
 *
 * <p>A client is thread-safe and meant to be shared. {@link #close()} releases what the client owns: the
 * channel it built (not one given to {@link #forChannel}) and the thread that polls operations, failing the
 * {@link OperationFuture}s still waiting (their operations go on on the server).
 */
public final class NimbusClient implements AutoCloseable {
  public static final String DEFAULT_TARGET = "localhost:8470";
  static final Metadata.Key<String> API_KEY_HEADER = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final ManagedChannel ownedChannel;
  private final ClientOptions options;
  private final OperationPoller poller;
  private final DatasetsClient datasets;
  private final ModelsClient models;
  private final PredictionsClient predictions;
  private final OperationsClient operations;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NimbusClient(Channel channel, ManagedChannel ownedChannel, ClientOptions options, Deadline.Ticker ticker,
      ScheduledThreadPoolExecutor pollScheduler) {
    this.ownedChannel = ownedChannel;
    this.options = options;
    Channel withDefaults = ClientInterceptors.intercept(channel, interceptors(options, ticker));
    this.poller = new OperationPoller(withDefaults, options.operationPollInterval(), options.defaultDeadline(),
        ticker, pollScheduler);
    this.datasets = new DatasetsClient(withDefaults, poller);
    this.models = new ModelsClient(withDefaults, poller);
    this.predictions = new PredictionsClient(withDefaults, poller);
    this.operations = new OperationsClient(withDefaults, poller, options.defaultDeadline(), ticker);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A client over a channel the caller owns and closes; {@link #close()} leaves it open. Default options. */
  public static NimbusClient forChannel(Channel channel) {
    return forChannel(channel, ClientOptions.defaults());
  }

  /** A client over a channel the caller owns and closes; {@link #close()} leaves it open. */
  public static NimbusClient forChannel(Channel channel, ClientOptions options) {
    requireNonNull(channel, "channel");
    requireNonNull(options, "options");
    return forChannel(channel, options, Deadline.getSystemTicker(), OperationPoller.newScheduler());
  }

  /** For tests: time from {@code ticker} (deadlines, poll intervals), polls scheduled on {@code pollScheduler}. */
  static NimbusClient forChannel(Channel channel, ClientOptions options, Deadline.Ticker ticker,
      ScheduledThreadPoolExecutor pollScheduler) {
    requireNonNull(channel, "channel");
    requireNonNull(options, "options");
    return new NimbusClient(channel, null, options, ticker, pollScheduler);
  }

  public DatasetsClient datasets() {
    return datasets;
  }

  public ModelsClient models() {
    return models;
  }

  public PredictionsClient predictions() {
    return predictions;
  }

  public OperationsClient operations() {
    return operations;
  }

  public ClientOptions options() {
    return options;
  }

  /**
   * Stops polling operations and, if this client built its channel, shuts the channel down, giving calls in
   * flight a few seconds to finish. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    poller.close();
    if (ownedChannel != null) {
      ownedChannel.shutdown();
      try {
        if (!ownedChannel.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          ownedChannel.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedChannel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ClientInterceptor[] interceptors(ClientOptions options, Deadline.Ticker ticker) {
    List<ClientInterceptor> interceptors = new ArrayList<>();
    interceptors.add(new CallDefaultsInterceptor(options, ticker));
    if (options.apiKey() != null) {
      Metadata headers = new Metadata();
      headers.put(API_KEY_HEADER, options.apiKey());
      interceptors.add(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return interceptors.toArray(ClientInterceptor[]::new);
  }

  /**
   * Settings for a client that builds its own channel. Each setting may be given once: a second call is a
   * mistake in the calling code and throws {@link IllegalStateException}.
   */
  public static final class Builder {
    private String target;
    private String transportSecurity; // "plaintext", "tls" or "tls with <path>"
    private Path trustedCertPem;
    private String apiKey;
    private Duration defaultDeadline;
    private Integer maxInboundMessageSize;
    private Duration operationPollInterval;

    private Builder() {}

    /** {@code host:port} of the server, or any grpc target URI; default {@value NimbusClient#DEFAULT_TARGET}. */
    public Builder target(String hostPort) {
      requireNonNull(hostPort, "target");
      requireState(target == null, "target was already set to %s", target);
      requireArgument(!hostPort.isBlank(), "target: '%s' (expected: host:port, e.g. %s)", hostPort,
          DEFAULT_TARGET);
      this.target = hostPort;
      return this;
    }

    /** No encryption, the default: for a server on this machine or a trusted network. */
    public Builder plaintext() {
      setTransportSecurity("plaintext");
      return this;
    }

    /** TLS, trusting the certificate authorities the JVM trusts. */
    public Builder tls() {
      setTransportSecurity("tls");
      return this;
    }

    /** TLS, trusting the certificates in a PEM file, e.g. the server's self-signed certificate. */
    public Builder tls(Path trustedCertPem) {
      requireNonNull(trustedCertPem, "trustedCertPem");
      requireArgument(Files.isRegularFile(trustedCertPem) && Files.isReadable(trustedCertPem),
          "trustedCertPem: %s (expected: a readable PEM file)", trustedCertPem);
      setTransportSecurity("tls with " + trustedCertPem);
      this.trustedCertPem = trustedCertPem;
      return this;
    }

    /** Sent as the {@code x-api-key} header of every call. */
    public Builder apiKey(String apiKey) {
      requireState(this.apiKey == null, "apiKey was already set");
      this.apiKey = requireApiKey(apiKey);
      return this;
    }

    /** The deadline of each call that does not set its own, counted from that call's start; default 30 s. */
    public Builder defaultDeadline(Duration defaultDeadline) {
      requireState(this.defaultDeadline == null, "defaultDeadline was already set to %s", this.defaultDeadline);
      this.defaultDeadline = requirePositive("defaultDeadline", defaultDeadline);
      return this;
    }

    /** The largest response accepted, in bytes; default 64 MiB. */
    public Builder maxInboundMessageSize(int bytes) {
      requireState(maxInboundMessageSize == null, "maxInboundMessageSize was already set to %s",
          maxInboundMessageSize);
      this.maxInboundMessageSize = requirePositive("maxInboundMessageSize", bytes);
      return this;
    }

    /** How long an {@link OperationFuture} waits between looks at its operation; default 1 s. */
    public Builder operationPollInterval(Duration interval) {
      requireState(operationPollInterval == null, "operationPollInterval was already set to %s",
          operationPollInterval);
      this.operationPollInterval = requirePositive("operationPollInterval", interval);
      return this;
    }

    /** Builds the channel (connecting lazily, on the first call) and the client that owns it. */
    public NimbusClient build() {
      ClientOptions defaults = ClientOptions.defaults();
      ClientOptions options = new ClientOptions(apiKey,
          defaultDeadline != null ? defaultDeadline : defaults.defaultDeadline(),
          maxInboundMessageSize != null ? maxInboundMessageSize : defaults.maxInboundMessageSize(),
          operationPollInterval != null ? operationPollInterval : defaults.operationPollInterval());
      // Grpc.newChannelBuilder picks the transport on the classpath (grpc-netty unless the application swaps it).
      ManagedChannel channel = Grpc.newChannelBuilder(target != null ? target : DEFAULT_TARGET, credentials())
          .maxInboundMessageSize(options.maxInboundMessageSize())
          .userAgent("nimbus-java-client")
          .defaultServiceConfig(RetryPolicy.serviceConfig())
          .enableRetry()
          .build();
      return new NimbusClient(channel, channel, options, Deadline.getSystemTicker(), OperationPoller.newScheduler());
    }

    private void setTransportSecurity(String security) {
      requireState(transportSecurity == null, "transport security was already set to %s", transportSecurity);
      this.transportSecurity = security;
    }

    private ChannelCredentials credentials() {
      if (transportSecurity == null || transportSecurity.equals("plaintext")) {
        return InsecureChannelCredentials.create();
      }
      if (trustedCertPem == null) {
        return TlsChannelCredentials.create();
      }
      try {
        return TlsChannelCredentials.newBuilder().trustManager(trustedCertPem.toFile()).build();
      } catch (IOException e) {
        throw new UncheckedIOException("trustedCertPem: cannot read " + trustedCertPem, e);
      }
    }
  }
}

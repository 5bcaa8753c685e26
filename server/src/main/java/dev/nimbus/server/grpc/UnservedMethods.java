package dev.nimbus.server.grpc;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.io.InputStream;
import java.util.List;

/**
 * What a call to a method this server does not have gets: UNIMPLEMENTED saying what is served instead, rather
 * than gRPC's bare "Method not found". A program written for Cloud AutoML's other APIs (v1beta1's tables, video,
 * ...) learns that Nimbus serves {@code google.cloud.automl.v1} for image classification.
 */
public final class UnservedMethods extends HandlerRegistry {
  private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private final List<String> served;

  /** @param served the services this server has, by full name, for the message */
  public UnservedMethods(List<String> served) {
    this.served = List.copyOf(served);
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    String service = MethodDescriptor.extractFullServiceName(methodName);
    String message;
    if (service != null && service.startsWith("google.cloud.automl.")) {
      message = methodName + " is not served: this server serves Cloud AutoML's google.cloud.automl.v1 AutoMl and"
          + " PredictionService, for image classification (datasets, models, evaluations, Predict, BatchPredict)";
    } else if (service != null && served.contains(service)) {
      message = methodName + " is not a method of " + service + " on this server (an older or newer API version?)";
    } else {
      message = methodName + " is not served here; this server serves " + String.join(", ", served);
    }
    MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.newBuilder(RAW, RAW)
        .setFullMethodName(methodName).setType(MethodDescriptor.MethodType.UNKNOWN).build();
    ServerCallHandler<InputStream, InputStream> refuse = (ServerCall<InputStream, InputStream> call,
        Metadata headers) -> {
      call.close(Status.UNIMPLEMENTED.withDescription(message), new Metadata());
      return new ServerCall.Listener<>() {};
    };
    return ServerMethodDefinition.create(method, refuse);
  }
}

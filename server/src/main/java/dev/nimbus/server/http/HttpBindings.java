package dev.nimbus.server.http;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * REST routes the protos' own {@code google.api.http} rules lack, bound as additional bindings of those rules:
 * <ul>
 *   <li>Cloud AutoML's paths for its operation names ({@code /v1/projects/p/locations/l/operations/x}), which its
 *       HTTP/JSON clients call on the {@code google.longrunning.Operations} service, whose proto maps only
 *       {@code operations/**};</li>
 *   <li>{@code POST} with {@code X-HTTP-Method-Override: PATCH} for every PATCH method: Google's HTTP/JSON clients
 *       send a PATCH so, since the JDK's HttpURLConnection cannot send one.</li>
 * </ul>
 * The transcoder takes one rule per method, so a service's descriptor is rebuilt with the extra bindings; its
 * handlers, interceptors included, stay the same.
 */
final class HttpBindings {
  /** How Cloud AutoML's clients name an operation in REST paths. */
  static final String AUTOML_OPERATION = "/v1/{name=projects/*/locations/*/operations/*}";
  private static final Map<String, HttpRule> AUTOML_OPERATIONS = Map.of(
      "GetOperation", HttpRule.newBuilder().setGet(AUTOML_OPERATION).build(),
      "DeleteOperation", HttpRule.newBuilder().setDelete(AUTOML_OPERATION).build(),
      "CancelOperation", HttpRule.newBuilder().setPost(AUTOML_OPERATION + ":cancel").setBody("*").build(),
      "ListOperations", HttpRule.newBuilder().setGet("/v1/{name=projects/*/locations/*}/operations").build());

  private HttpBindings() {}

  /** {@code def} with the extra bindings its methods need, or {@code def} itself when they need none. */
  static ServerServiceDefinition withExtraBindings(ServerServiceDefinition def) {
    if (!(def.getServiceDescriptor().getSchemaDescriptor() instanceof ProtoServiceDescriptorSupplier schema)) {
      return def;
    }
    ServiceDescriptor original = schema.getServiceDescriptor();
    boolean operations = original.getFullName().equals("google.longrunning.Operations");
    FileDescriptorProto.Builder file = original.getFile().toProto().toBuilder();
    ServiceDescriptorProto.Builder service = file.getServiceBuilderList().stream()
        .filter(x -> x.getName().equals(original.getName())).findFirst().orElseThrow();
    boolean changed = false;
    for (MethodDescriptorProto.Builder m : service.getMethodBuilderList()) {
      HttpRule rule = m.getOptions().getExtension(AnnotationsProto.http);
      HttpRule add = operations ? AUTOML_OPERATIONS.get(m.getName())
          : rule.getPatternCase() == HttpRule.PatternCase.PATCH
              ? HttpRule.newBuilder().setPost(rule.getPatch()).setBody(rule.getBody()).build() : null;
      if (add != null) {
        m.getOptionsBuilder().setExtension(AnnotationsProto.http, rule.toBuilder().addAdditionalBindings(add).build());
        changed = true;
      }
    }
    if (!changed) {
      return def;
    }
    ServiceDescriptor rebuilt = rebuild(file.build(), original.getFile()).findServiceByName(original.getName());
    io.grpc.ServiceDescriptor.Builder descriptor = io.grpc.ServiceDescriptor.newBuilder(
        def.getServiceDescriptor().getName()).setSchemaDescriptor(new ServiceSchema(rebuilt));
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : def.getMethods()) {
      ServerMethodDefinition<?, ?> r = rebind(m, rebuilt.findMethodByName(m.getMethodDescriptor().getBareMethodName()));
      descriptor.addMethod(r.getMethodDescriptor());
      methods.add(r);
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static FileDescriptor rebuild(FileDescriptorProto file, FileDescriptor original) {
    try {
      return FileDescriptor.buildFrom(file, original.getDependencies().toArray(new FileDescriptor[0]));
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(original.getName() + " does not rebuild with extra HTTP bindings", e);
    }
  }

  private static <Q, R> ServerMethodDefinition<Q, R> rebind(ServerMethodDefinition<Q, R> m, MethodDescriptor schema) {
    return ServerMethodDefinition.create(m.getMethodDescriptor().toBuilder()
        .setSchemaDescriptor(new MethodSchema(schema)).build(), m.getServerCallHandler());
  }

  /** The schema suppliers grpc's generated code attaches, over the rebuilt descriptors. */
  private record ServiceSchema(ServiceDescriptor service) implements ProtoServiceDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return service.getFile();
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }

  private record MethodSchema(MethodDescriptor method) implements ProtoMethodDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return method.getFile();
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return method.getService();
    }

    @Override
    public MethodDescriptor getMethodDescriptor() {
      return method;
    }
  }
}

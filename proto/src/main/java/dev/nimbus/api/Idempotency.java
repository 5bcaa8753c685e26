package dev.nimbus.api;

import com.google.longrunning.OperationsProto;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.nimbus.v1.DatasetServiceProto;
import dev.nimbus.v1.ModelServiceProto;
import dev.nimbus.v1.PredictionServiceProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which RPCs only read and which are safe to run twice, as the protos declare it with
 * {@code option idempotency_level}: the server lets API keys with role reader call only {@link #isReadOnly
 * read-only} methods, and the client SDK retries only {@link #isRetrySafe retry-safe} ones. Read from the
 * descriptors, so a new RPC gets the right treatment from its proto alone.
 *
 * <p>{@code google.longrunning.Operations} is Google's proto and declares no levels; its methods' levels are
 * given here, once: Get, List and Wait only read; Cancel may run twice with the same effect; Delete is not
 * retried, because a second attempt of one whose answer was lost reports NOT_FOUND.
 */
public final class Idempotency {
  private static final Map<String, IdempotencyLevel> OPERATIONS = Map.of(
      "GetOperation", IdempotencyLevel.NO_SIDE_EFFECTS,
      "ListOperations", IdempotencyLevel.NO_SIDE_EFFECTS,
      "WaitOperation", IdempotencyLevel.NO_SIDE_EFFECTS,
      "CancelOperation", IdempotencyLevel.IDEMPOTENT,
      "DeleteOperation", IdempotencyLevel.IDEMPOTENCY_UNKNOWN);

  private static final Map<String, IdempotencyLevel> LEVELS = levels();

  private Idempotency() {}

  /** The services whose methods' levels are known: Nimbus's own and {@code google.longrunning.Operations}. */
  public static List<ServiceDescriptor> services() {
    return List.of(DatasetServiceProto.getDescriptor().findServiceByName("DatasetService"),
        ModelServiceProto.getDescriptor().findServiceByName("ModelService"),
        PredictionServiceProto.getDescriptor().findServiceByName("PredictionService"),
        OperationsProto.getDescriptor().findServiceByName("Operations"));
  }

  /**
   * The level of {@code fullMethodName} ({@code nimbus.v1.DatasetService/GetDataset}); IDEMPOTENCY_UNKNOWN for a
   * method that is not one of {@link #services()}.
   */
  public static IdempotencyLevel level(String fullMethodName) {
    return LEVELS.getOrDefault(fullMethodName, IdempotencyLevel.IDEMPOTENCY_UNKNOWN);
  }

  /** Whether the method changes nothing. */
  public static boolean isReadOnly(String fullMethodName) {
    return level(fullMethodName) == IdempotencyLevel.NO_SIDE_EFFECTS;
  }

  /** Whether running the method twice has the effect of running it once. */
  public static boolean isRetrySafe(String fullMethodName) {
    return Set.of(IdempotencyLevel.NO_SIDE_EFFECTS, IdempotencyLevel.IDEMPOTENT).contains(level(fullMethodName));
  }

  /** Every method of {@link #services()} with its level, as {@code service/method}. */
  public static Map<String, IdempotencyLevel> all() {
    return LEVELS;
  }

  private static Map<String, IdempotencyLevel> levels() {
    Map<String, IdempotencyLevel> out = new HashMap<>();
    for (ServiceDescriptor s : services()) {
      boolean google = s.getFile() == OperationsProto.getDescriptor();
      for (MethodDescriptor m : s.getMethods()) {
        IdempotencyLevel level = google ? OPERATIONS.get(m.getName()) : m.getOptions().getIdempotencyLevel();
        if (level == null) {
          throw new IllegalStateException(s.getFullName() + "/" + m.getName() + " has no declared idempotency level");
        }
        out.put(s.getFullName() + "/" + m.getName(), level);
      }
    }
    return Map.copyOf(out);
  }
}

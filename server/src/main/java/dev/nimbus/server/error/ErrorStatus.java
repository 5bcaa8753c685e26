package dev.nimbus.server.error;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a throwable becomes a {@code google.rpc.Status}, for RPCs, for an operation's {@code error} and
 * for its partial failures alike. An {@link ApiException} keeps its code, message and details. Anything else, an
 * {@code Error} included, is INTERNAL: its message is a reference, with the failure and its stack logged under the
 * same reference, so a caller never sees a class name, a path or a stack trace, and an administrator finds the
 * cause from what the caller quotes.
 */
public final class ErrorStatus {
  private static final Logger log = LoggerFactory.getLogger(ErrorStatus.class);

  /**
   * An internal failure that can say what kind of thing went wrong without revealing internals, e.g. "the server
   * could not read or write its data directory". Without it, a caller reads "internal error".
   */
  public interface PublicSummary {
    String publicSummary();
  }

  private ErrorStatus() {}

  public static Status of(Throwable t) {
    return of(t, "a call");
  }

  /** @param where what was running, for the log line of an unexpected failure ("operation 1f-x (IMPORT_DATA)") */
  public static Status of(Throwable t, String where) {
    Throwable e = unwrap(t);
    if (e instanceof ApiException a) {
      Status.Builder s = Status.newBuilder().setCode(a.code().getNumber()).setMessage(a.getMessage());
      for (Message d : a.details()) {
        s.addDetails(Any.pack(d));
      }
      return s.build();
    }
    String ref = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    log.error("Unexpected failure in {} (ref {})", where, ref, e);
    String summary = e instanceof PublicSummary p ? p.publicSummary() : "internal error";
    return Status.newBuilder()
        .setCode(Code.INTERNAL_VALUE)
        .setMessage(summary + " (ref " + ref + " in the server log)")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(ApiException.DOMAIN).setReason("INTERNAL")
            .putMetadata("ref", ref).build()))
        .build();
  }

  /** The failure a future or an executor wrapped. */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}

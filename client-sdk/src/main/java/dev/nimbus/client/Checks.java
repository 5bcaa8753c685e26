package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** Argument checks whose messages read "name: value (expected: ...)", so a bad setting names itself. */
final class Checks {
  private Checks() {}

  static void requireArgument(boolean valid, String template, Object... args) {
    if (!valid) {
      throw new ArgumentException(String.format(template, args));
    }
  }

  static void requireState(boolean valid, String template, Object... args) {
    if (!valid) {
      throw new IllegalStateException(String.format(template, args));
    }
  }

  static Duration requirePositive(String name, Duration value) {
    requireNonNull(value, name);
    requireArgument(!value.isZero() && !value.isNegative(), "%s: %s (expected: > 0)", name, value);
    return value;
  }

  static int requirePositive(String name, int value) {
    requireArgument(value > 0, "%s: %s (expected: > 0)", name, value);
    return value;
  }

  /** The API key goes into an ASCII header, so anything else would fail on every call instead of here. */
  static String requireApiKey(String apiKey) {
    requireNonNull(apiKey, "apiKey");
    requireArgument(!apiKey.isBlank(), "apiKey: '%s' (expected: a non-blank key)", apiKey);
    for (int i = 0; i < apiKey.length(); i++) {
      char c = apiKey.charAt(i);
      // The key itself stays out of the message: messages end up in logs.
      requireArgument(c > 0x20 && c < 0x7f,
          "apiKey: <%s characters, not shown> has a space or a non-printable/non-ASCII character at index %s "
              + "(expected: printable ASCII)", apiKey.length(), i);
    }
    return apiKey;
  }

  /** Nanoseconds for a deadline, saturated: Duration.toNanos() overflows past ~292 years. */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}

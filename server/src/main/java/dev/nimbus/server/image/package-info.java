/**
 * Image files before any model sees them: format sniffing from the content, header-only dimension checks (no
 * decompression bombs), container completeness checks, and a bounded full decode for validation, with messages a
 * person can act on. Uses only the JDK's ImageIO and the TwelveMonkeys plugins.
 */
package dev.nimbus.server.image;

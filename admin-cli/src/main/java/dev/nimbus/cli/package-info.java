/**
 * The {@code nimbus} command: a picocli tree of nouns and verbs ({@code nimbus datasets import}, {@code nimbus
 * operations wait}, {@code nimbus server}) over the Java SDK. Every command prints a table for people or, with
 * {@code --format json}, stable protobuf JSON for programs; errors are one line on stderr and the exit code says
 * whose fault it was (see {@link dev.nimbus.cli.NimbusCommand}).
 */
package dev.nimbus.cli;

/**
 * The sample data of {@code nimbus sample-data} and the quickstart: procedural photos of the lab's three cloud types,
 * written as a labeled CSV, with a mean-colour baseline that shows they are not separable by colour alone.
 */
package dev.nimbus.cli.sample;

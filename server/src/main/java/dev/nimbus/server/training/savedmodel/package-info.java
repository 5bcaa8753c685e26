/**
 * Freezing a graph-mode SavedModel's serving subgraph (variables to constants) and copying it op by op into another
 * graph with its input placeholder replaced by a given operand, which {@code Graph.importGraphDef} cannot do.
 */
package dev.nimbus.server.training.savedmodel;

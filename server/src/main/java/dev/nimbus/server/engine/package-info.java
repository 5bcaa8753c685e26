/**
 * The only place that talks to DJL and TF-Java. {@link dev.nimbus.server.engine.TensorFlowRuntime} loads the
 * natives; {@code backbone} holds pretrained feature extractors that add themselves to a TF graph ({@code tfjs} and
 * {@code savedmodel} are the importers behind them); training is {@link dev.nimbus.server.training.ScratchCnnTrainer}
 * (from scratch on decoded images) and {@link dev.nimbus.server.training.HeadTrainer} (on embeddings of a frozen
 * backbone); {@link dev.nimbus.server.engine.Decoding} decodes and resizes images inside a TF graph; {@link
 * dev.nimbus.server.training.export.ClassifierExporter} writes one self-contained SavedModel per classifier, which DJL serves;
 * {@link dev.nimbus.server.training.TensorFlowTrainer} ties them together behind the server's ModelTrainer interface.
 *
 * <p>Training uses TF-Java's graph API because DJL cannot train with TensorFlow. Nothing may touch an
 * {@code org.tensorflow} class before {@link dev.nimbus.server.engine.TensorFlowRuntime#ensureLoaded()}: a failed
 * native load poisons the JVM. Values cross the boundary as plain Java records (images, embeddings, labels,
 * weights), so callers never hold TF tensors.
 */
package dev.nimbus.server.engine;

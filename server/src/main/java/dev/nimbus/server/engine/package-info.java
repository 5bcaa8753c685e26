/**
 * The engine: TensorFlow's native runtime ({@link dev.nimbus.server.engine.TensorFlowRuntime}), image decoding
 * and resizing inside a TF graph ({@link dev.nimbus.server.engine.Decoding}), and inference: loading an exported
 * SavedModel through DJL's TensorFlow engine on a device and running uint8 batches through it
 * ({@link dev.nimbus.server.engine.InferenceEngine}). Serving uses it for Predict; training uses its runtime and
 * decoding.
 *
 * <p>With {@code training}, the only packages that touch DJL and TF-Java; it uses nothing else of the server
 * (training neither) and throws exceptions of its own, which its callers turn into API errors. Nothing may touch
 * an {@code org.tensorflow} class before {@link dev.nimbus.server.engine.TensorFlowRuntime#ensureLoaded()}: a
 * failed native load poisons the JVM. Values cross the boundary as plain Java records, so callers never hold TF
 * tensors.
 */
package dev.nimbus.server.engine;

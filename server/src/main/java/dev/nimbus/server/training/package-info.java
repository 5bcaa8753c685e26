/**
 * Training on TensorFlow: {@link dev.nimbus.server.training.ClassifierTrainer} is the interface the model package
 * calls, with plain records in and out ({@link dev.nimbus.server.training.TrainingJob},
 * {@link dev.nimbus.server.training.TrainingProgress}, {@link dev.nimbus.server.training.TrainedClassifier});
 * {@link dev.nimbus.server.training.TensorFlowTrainer} implements it with the two trainers
 * ({@link dev.nimbus.server.training.HeadTrainer} on embeddings of a frozen backbone,
 * {@link dev.nimbus.server.training.ScratchCnnTrainer} from scratch), their shared loop and stopping rules, and the
 * base models. A head may start from a trained one ({@link dev.nimbus.server.training.InitialHead}, read back from
 * the file the export wrote beside the SavedModel), and after the TEST pass the exported model's serving
 * throughput is timed ({@link dev.nimbus.server.training.ServingThroughput}). Sub-packages: {@code graph} (TF graph
 * building blocks), {@code export} (the SavedModel writer and the head weights file),
 * {@code backbone} (pretrained feature extractors) and its importers {@code tfjs} and {@code savedmodel}.
 *
 * <p>Uses TF-Java (DJL cannot train with TensorFlow), DJL to score the exported model, and the engine package for
 * the runtime and decoding; nothing of the domain, storage, errors or API but the one word of the contract it
 * shares, {@code ClassificationType}. Nothing may touch an {@code org.tensorflow} class before
 * {@link dev.nimbus.server.engine.TensorFlowRuntime#ensureLoaded()}.
 */
package dev.nimbus.server.training;

package dev.nimbus.server.model;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.training.BaseModels;
import dev.nimbus.server.training.InitialHead;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * {@code training_params.initial_model} (Cloud AutoML's {@code base_model_id}): which trained model a new one
 * starts from, the settings it inherits from it, and its head's weights. Checked when CreateModel is called and
 * again when the training starts, since the source model or the dataset may change in between.
 */
final class InitialModels {
  static final String FIELD = "model.training_params.initial_model";

  private InitialModels() {}

  /** The model {@code name} names: NOT_FOUND, or FAILED_PRECONDITION unless it is a TRAINED transfer model. */
  static Model source(ModelStore store, String name) {
    String id = ResourceNames.modelId(FIELD, name.strip());
    Model source = store.get(id).orElseThrow(() -> ApiException.notFound(Models.MODEL_TYPE, ResourceNames.model(id),
        FIELD + ": model " + ResourceNames.model(id) + " does not exist"));
    if (source.getTrainingState() != Model.TrainingState.TRAINED) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_NOT_TRAINED", FIELD + ": model " + source.getName()
          + " is " + source.getTrainingState() + "; a training can only start from a TRAINED model");
    }
    if (BaseModels.isScratch(source.getBaseModel())) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_SCRATCH", FIELD + ": model " + source.getName()
          + " is a scratch_cnn: it has no frozen backbone and head to start from (its input size is fitted to its"
          + " own images); start from a transfer-learning model (mobilenet_v2, saved_model:, tfjs:) or train"
          + " without initial_model");
    }
    return source;
  }

  /**
   * {@code request} with the source's base model and cut layer, which fix the head's input; INVALID_ARGUMENT when
   * the request sets a different one.
   */
  static Model inherit(Model request, Model source) {
    String base = request.getBaseModel().strip();
    if (!base.isEmpty() && !base.equals(source.getBaseModel())) {
      throw ApiException.invalidArgument("model.base_model", "model.base_model: '" + ResourceNames.abbreviate(base)
          + "' differs from '" + ResourceNames.abbreviate(source.getBaseModel()) + "', the base model of "
          + source.getName() + " (" + FIELD + "); its head only fits that backbone: leave base_model empty or"
          + " set the same one");
    }
    TrainingParams p = request.getTrainingParams();
    String cut = p.getCutLayer().strip();
    String sourceCut = source.getTrainingParams().getCutLayer();
    if (!cut.isEmpty() && !cut.equals(sourceCut)) {
      throw ApiException.invalidArgument("model.training_params.cut_layer", "model.training_params.cut_layer: '"
          + ResourceNames.abbreviate(cut) + "' differs from '" + (sourceCut.isEmpty() ? "(the default)" : sourceCut)
          + "', the cut layer of " + source.getName() + " (" + FIELD + "); its head only fits those features:"
          + " leave cut_layer empty or set the same one");
    }
    return request.toBuilder().setBaseModel(source.getBaseModel())
        .setTrainingParams(p.toBuilder().setCutLayer(sourceCut).setInitialModel(source.getName())).build();
  }

  /** FAILED_PRECONDITION unless the dataset has the source's classification type and a label of it. */
  static void checkFits(Model source, ClassificationType type, String dataset, List<String> labels) {
    if (source.getClassificationType() != type) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_TYPE_MISMATCH", FIELD + ": model " + source.getName()
          + " is " + source.getClassificationType() + " but dataset " + dataset + " is " + type
          + "; start from a model of the same classification type");
    }
    if (labels.stream().noneMatch(source.getLabelsList()::contains)) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_NO_COMMON_LABEL", "dataset " + dataset
          + " shares no label with " + source.getName() + " (" + FIELD + "; its labels: "
          + ResourceNames.abbreviate(String.join(", ", source.getLabelsList())) + "); labels are matched by name");
    }
  }

  /** The source's trained head, read from its folder. */
  static InitialHead head(ModelFiles files, Model source) throws IOException {
    String id = ResourceNames.modelId(FIELD, source.getName());
    try {
      return InitialHead.read(source.getName(), files.dir(id), source.getLabelsList());
    } catch (NoSuchFileException e) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_WITHOUT_HEAD", FIELD + ": model " + source.getName()
          + " was trained before Nimbus kept a model's head weights; retrain it once, then start from it");
    }
  }
}

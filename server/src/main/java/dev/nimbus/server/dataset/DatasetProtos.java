package dev.nimbus.server.dataset;

import dev.nimbus.server.dataset.DatasetStore.DatasetRow;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.AnnotationSpec;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.SplitCounts;

/** Conversions from stored rows to API messages. */
final class DatasetProtos {
  private DatasetProtos() {}

  static Dataset dataset(DatasetRow r) {
    return Dataset.newBuilder()
        .setName(ResourceNames.dataset(r.id()))
        .setDisplayName(r.displayName())
        .setDescription(r.description())
        .setClassificationType(r.type())
        .setCreateTime(Protos.timestamp(r.createTime()))
        .setUpdateTime(Protos.timestamp(r.updateTime()))
        .setExampleCount(r.exampleCount())
        .setLabelCount(r.labelCount())
        .setState(r.state())
        .setEtag(etag(r))
        .putAllUserLabels(r.userLabels())
        .build();
  }

  static String etag(DatasetRow r) {
    return "W/\"" + r.revision() + "\"";
  }

  static Example example(ExampleRow e) {
    return Example.newBuilder()
        .setName(ResourceNames.example(e.datasetId(), e.sha256()))
        .setContentSha256(e.sha256())
        .addAllLabels(e.labels())
        .setMlUse(e.mlUse())
        .setMlUseSource(e.mlUseSource())
        .setMimeType(e.mimeType())
        .setWidth(e.width())
        .setHeight(e.height())
        .setSizeBytes(e.sizeBytes())
        .setSourceUri(e.sourceUri())
        .setCreateTime(Protos.timestamp(e.createTime()))
        .build();
  }

  static SplitCounts splitCounts(SplitCount c) {
    return SplitCounts.newBuilder()
        .setTrain(c.train())
        .setValidation(c.validation())
        .setTest(c.test())
        .setUnassigned(c.unassigned())
        .build();
  }

  static AnnotationSpec annotationSpec(String datasetId, String label, SplitCount c) {
    return AnnotationSpec.newBuilder()
        .setName(ResourceNames.annotationSpec(datasetId, label))
        .setDisplayName(label)
        .setExampleCount(c.total())
        .setSplitCounts(splitCounts(c))
        .build();
  }
}

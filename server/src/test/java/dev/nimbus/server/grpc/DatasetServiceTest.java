package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static dev.nimbus.server.testing.Statuses.badRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.AnnotationSpec;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DatasetWarning;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteExampleRequest;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.GetDatasetStatsRequest;
import dev.nimbus.v1.GetExampleRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListAnnotationSpecsRequest;
import dev.nimbus.v1.ListAnnotationSpecsResponse;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.UpdateDatasetRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetServiceTest {
  @TempDir Path tmp;
  InProcessNimbus nimbus;

  @BeforeEach
  void setUp() {
    nimbus = new InProcessNimbus(tmp.resolve("data"));
  }

  @AfterEach
  void tearDown() {
    nimbus.close();
  }

  private Dataset create(String id) {
    return nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id).build());
  }

  private Dataset get(String name) {
    return nimbus.datasets.getDataset(GetDatasetRequest.newBuilder().setName(name).build());
  }

  /** Imports {@code perLabel} distinct images for each label, with no split given. */
  private void importImages(String dataset, int[] perLabel, String... labels) {
    StringBuilder csv = new StringBuilder();
    int seed = 0;
    for (int l = 0; l < labels.length; l++) {
      for (int i = 0; i < perLabel[l]; i++) {
        Path img = TestImages.write(tmp.resolve("img/" + dataset + "/" + seed + ".png"), TestImages.png(8, 8, seed * 31L + 7));
        csv.append(img).append(',').append(labels[l]).append('\n');
        seed++;
      }
    }
    Operation op = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/" + dataset)
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(csv.toString()))
            .setBaseUri(tmp.toString())).build()));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
  }

  @Test
  void createDataset_defaults() {
    Dataset d = create("clouds");
    assertThat(d.getName()).isEqualTo("datasets/clouds");
    assertThat(d.getDisplayName()).isEqualTo("clouds");
    assertThat(d.getClassificationType()).isEqualTo(ClassificationType.MULTICLASS);
    assertThat(d.getState()).isEqualTo(Dataset.State.ACTIVE);
    assertThat(d.getExampleCount()).isZero();
    assertThat(d.getCreateTime().getSeconds()).isPositive();
    assertThat(get("datasets/clouds")).isEqualTo(d);
  }

  @Test
  void createDataset_duplicateId_isAlreadyExists() {
    create("clouds");
    assertFails(Status.Code.ALREADY_EXISTS, "datasets/clouds already exists", () -> create("clouds"));
  }

  @Test
  void createDataset_invalidIds_areInvalidArgument_withTheField() {
    for (String bad : List.of("", "Clouds", "1clouds", "clouds/x", "../etc", "a".repeat(64), "cl ouds", "clöuds")) {
      StatusRuntimeException e = assertFails(Status.Code.INVALID_ARGUMENT, "dataset_id", () -> create(bad));
      assertThat(badRequest(e).getFieldViolations(0).getField()).isEqualTo("dataset_id");
    }
  }

  @Test
  void createDataset_tooLongDisplayName_andUnknownType_areInvalidArgument() {
    assertFails(Status.Code.INVALID_ARGUMENT, "display_name", () -> nimbus.datasets.createDataset(
        CreateDatasetRequest.newBuilder().setDatasetId("x")
            .setDataset(Dataset.newBuilder().setDisplayName("n".repeat(300))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "classification_type", () -> nimbus.datasets.createDataset(
        CreateDatasetRequest.newBuilder().setDatasetId("x")
            .setDataset(Dataset.newBuilder().setClassificationTypeValue(42)).build()));
  }

  @Test
  void getDataset_unknownOrMalformed() {
    assertFails(Status.Code.NOT_FOUND, "datasets/nope does not exist", () -> get("datasets/nope"));
    assertFails(Status.Code.INVALID_ARGUMENT, "not a valid name", () -> get("nope"));
    assertFails(Status.Code.INVALID_ARGUMENT, "name is required", () -> get(""));
    assertFails(Status.Code.INVALID_ARGUMENT, "not a valid name", () -> get("datasets/a/b"));
  }

  @Test
  void listDatasets_pagesInIdOrder() {
    for (String id : List.of("d", "a", "c", "e", "b")) {
      create(id);
    }
    List<String> names = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListDatasetsResponse r = nimbus.datasets.listDatasets(ListDatasetsRequest.newBuilder().setPageSize(2)
          .setPageToken(token).build());
      r.getDatasetsList().forEach(d -> names.add(d.getName()));
      token = r.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(names).containsExactly("datasets/a", "datasets/b", "datasets/c", "datasets/d", "datasets/e");
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void listDatasets_negativePageSizeOrForeignToken_isInvalidArgument() {
    assertFails(Status.Code.INVALID_ARGUMENT, "page_size: -1", () -> nimbus.datasets.listDatasets(
        ListDatasetsRequest.newBuilder().setPageSize(-1).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "page_token", () -> nimbus.datasets.listDatasets(
        ListDatasetsRequest.newBuilder().setPageToken("garbage!").build()));
  }

  @Test
  void updateDataset_changesMaskedFields_andChecksEtag() {
    Dataset d = create("clouds");
    Dataset updated = nimbus.datasets.updateDataset(UpdateDatasetRequest.newBuilder()
        .setDataset(d.toBuilder().setDisplayName("Clouds of the lab").setDescription("ignored"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build());
    assertThat(updated.getDisplayName()).isEqualTo("Clouds of the lab");
    assertThat(updated.getDescription()).isEmpty();
    assertThat(updated.getEtag()).isNotEqualTo(d.getEtag());
    assertFails(Status.Code.ABORTED, "changed since it was read", () -> nimbus.datasets.updateDataset(
        UpdateDatasetRequest.newBuilder().setDataset(d.toBuilder().setDescription("stale")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "cannot be updated", () -> nimbus.datasets.updateDataset(
        UpdateDatasetRequest.newBuilder().setDataset(updated)
            .setUpdateMask(FieldMask.newBuilder().addPaths("classification_type")).build()));
    Dataset labelled = nimbus.datasets.updateDataset(UpdateDatasetRequest.newBuilder()
        .setDataset(updated.toBuilder().putUserLabels("owner", "lab-team").putUserLabels("stage", ""))
        .setUpdateMask(FieldMask.newBuilder().addPaths("user_labels")).build());
    assertThat(labelled.getUserLabelsMap()).containsOnly(java.util.Map.entry("owner", "lab-team"),
        java.util.Map.entry("stage", ""));
    assertThat(labelled.getDisplayName()).isEqualTo("Clouds of the lab");
    assertThat(nimbus.datasets.getDataset(GetDatasetRequest.newBuilder().setName(d.getName()).build())
        .getUserLabelsMap()).containsEntry("owner", "lab-team");
    assertFails(Status.Code.INVALID_ARGUMENT, "the value of 'owner', 'Lab Team', is not valid", () ->
        nimbus.datasets.updateDataset(UpdateDatasetRequest.newBuilder()
            .setDataset(labelled.toBuilder().putUserLabels("owner", "Lab Team")).build()));
  }

  @Test
  void getDatasetStats_countsPerLabelAndSplit_withAutoMlWarnings() {
    create("d");
    importImages("d", new int[] {30, 3}, "big", "small");
    DatasetStats stats = nimbus.datasets.getDatasetStats(GetDatasetStatsRequest.newBuilder().setDataset("datasets/d").build());
    assertThat(stats.getExampleCount()).isEqualTo(33);
    AnnotationSpec big = stats.getLabels(0);
    assertThat(big.getDisplayName()).isEqualTo("big");
    assertThat(big.getName()).isEqualTo("datasets/d/annotationSpecs/big");
    assertThat(big.getSplitCounts().getTrain()).isEqualTo(24);
    assertThat(big.getSplitCounts().getValidation()).isEqualTo(3);
    assertThat(big.getSplitCounts().getTest()).isEqualTo(3);
    assertThat(stats.getWarningsList()).extracting(DatasetWarning::getKind)
        .contains(DatasetWarning.Kind.FEW_EXAMPLES).doesNotContain(DatasetWarning.Kind.IMBALANCED);
    assertThat(stats.getWarningsList()).filteredOn(w -> w.getKind() == DatasetWarning.Kind.FEW_EXAMPLES)
        .extracting(DatasetWarning::getLabel).containsExactly("small");
  }

  @Test
  void getDatasetStats_imbalanceOver100x_isWarned() {
    create("d");
    importImages("d", new int[] {202, 2}, "many", "rare");
    DatasetStats stats = nimbus.datasets.getDatasetStats(GetDatasetStatsRequest.newBuilder().setDataset("datasets/d").build());
    assertThat(stats.getWarningsList()).extracting(DatasetWarning::getKind).contains(DatasetWarning.Kind.IMBALANCED);
  }

  @Test
  void listAnnotationSpecs_pagesByLabel() {
    create("d");
    importImages("d", new int[] {1, 1, 1}, "b", "a", "c");
    ListAnnotationSpecsResponse first = nimbus.datasets.listAnnotationSpecs(ListAnnotationSpecsRequest.newBuilder()
        .setParent("datasets/d").setPageSize(2).build());
    assertThat(first.getAnnotationSpecsList()).extracting(AnnotationSpec::getDisplayName).containsExactly("a", "b");
    ListAnnotationSpecsResponse second = nimbus.datasets.listAnnotationSpecs(ListAnnotationSpecsRequest.newBuilder()
        .setParent("datasets/d").setPageSize(2).setPageToken(first.getNextPageToken()).build());
    assertThat(second.getAnnotationSpecsList()).extracting(AnnotationSpec::getDisplayName).containsExactly("c");
    assertThat(second.getNextPageToken()).isEmpty();
  }

  @Test
  void listExamples_filtersByLabelAndSplit() {
    create("d");
    importImages("d", new int[] {20, 10}, "x", "y");
    ListExamplesResponse xs = nimbus.datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/d")
        .setFilter("label = \"x\" AND ml_use = TEST").setPageSize(100).build());
    assertThat(xs.getTotalSize()).isEqualTo(2);
    assertThat(xs.getExamplesList()).allSatisfy(e -> {
      assertThat(e.getLabelsList()).containsExactly("x");
      assertThat(e.getMlUse()).isEqualTo(MlUse.TEST);
    });
    ListExamplesResponse train = nimbus.datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/d")
        .setFilter("ml_use=train").setPageSize(5).build());
    assertThat(train.getTotalSize()).isEqualTo(24);
    assertThat(train.getExamplesCount()).isEqualTo(5);
    assertThat(train.getNextPageToken()).isNotEmpty();
    assertFails(Status.Code.INVALID_ARGUMENT, "page_token", () -> nimbus.datasets.listExamples(
        ListExamplesRequest.newBuilder().setParent("datasets/d").setFilter("ml_use=TEST")
            .setPageToken(train.getNextPageToken()).build()));
  }

  @Test
  void listExamples_badFilters_areInvalidArgument() {
    create("d");
    for (String filter : List.of("color = red", "label = \"not valid!\"", "ml_use = SOMETIMES", "label", "label = a OR label = b",
        "label = a AND label = b")) {
      assertFails(Status.Code.INVALID_ARGUMENT, "filter", () -> nimbus.datasets.listExamples(
          ListExamplesRequest.newBuilder().setParent("datasets/d").setFilter(filter).build()));
    }
    assertFails(Status.Code.NOT_FOUND, "datasets/other", () -> nimbus.datasets.listExamples(
        ListExamplesRequest.newBuilder().setParent("datasets/other").build()));
  }

  @Test
  void getExample_deleteExample_readImage() {
    create("d");
    importImages("d", new int[] {2}, "x");
    List<Example> examples = nimbus.datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/d").build())
        .getExamplesList();
    Example e = examples.get(0);
    assertThat(nimbus.datasets.getExample(GetExampleRequest.newBuilder().setName(e.getName()).build())).isEqualTo(e);

    nimbus.datasets.deleteExample(DeleteExampleRequest.newBuilder().setName(e.getName()).build());
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> nimbus.datasets.getExample(
        GetExampleRequest.newBuilder().setName(e.getName()).build()));
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> nimbus.datasets.readExampleImage(
        ReadExampleImageRequest.newBuilder().setName(e.getName()).build()).hasNext());
    assertThat(get("datasets/d").getExampleCount()).isEqualTo(1);
    assertFails(Status.Code.INVALID_ARGUMENT, "not an example name", () -> nimbus.datasets.getExample(
        GetExampleRequest.newBuilder().setName("datasets/d/examples/xyz").build()));
  }

  @Test
  void deleteDataset_removesEverything_andUnknownIsNotFound() {
    create("d");
    importImages("d", new int[] {3}, "x");
    Operation op = nimbus.await(nimbus.datasets.deleteDataset(DeleteDatasetRequest.newBuilder().setName("datasets/d").build()));
    assertThat(op.getDone()).isTrue();
    assertThat(op.hasResponse()).isTrue();
    assertThat(InProcessNimbus.metadata(op).getDeleteDetails().getDeletedCount()).isEqualTo(3);
    assertFails(Status.Code.NOT_FOUND, "datasets/d", () -> get("datasets/d"));
    assertFails(Status.Code.NOT_FOUND, "datasets/d", () -> nimbus.datasets.deleteDataset(
        DeleteDatasetRequest.newBuilder().setName("datasets/d").build()));
    // The id can be used again.
    assertThat(create("d").getExampleCount()).isZero();
  }
}

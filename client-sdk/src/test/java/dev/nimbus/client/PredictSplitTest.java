package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.PredictParams;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictSplitTest {
  private static PredictRequest request(int images, int bytesEach) {
    PredictRequest.Builder b = PredictRequest.newBuilder().setName("models/m")
        .setParams(PredictParams.newBuilder().setMaxPredictions(2));
    for (int i = 0; i < images; i++) {
      byte[] data = new byte[bytesEach];
      data[0] = (byte) i;
      b.addImages(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(data)));
    }
    return b.build();
  }

  @Test
  void split_smallRequest_isSentAsIs() {
    PredictRequest r = request(3, 100);
    assertThat(PredictionsClient.split(r, 1 << 20, 256)).containsExactly(r);
  }

  @Test
  void split_overTheByteLimit_keepsOrderAndParams_andEachPartFits() {
    PredictRequest r = request(10, 1000);
    List<PredictRequest> parts = PredictionsClient.split(r, 3500, 256);
    assertThat(parts).hasSizeGreaterThan(1);
    assertThat(parts).allSatisfy(p -> {
      assertThat(p.getSerializedSize()).isLessThanOrEqualTo(3500);
      assertThat(p.getName()).isEqualTo("models/m");
      assertThat(p.getParams().getMaxPredictions()).isEqualTo(2);
    });
    assertThat(parts.stream().flatMap(p -> p.getImagesList().stream()).toList()).isEqualTo(r.getImagesList());
  }

  @Test
  void split_overTheImageLimit_andAnImageLargerThanTheLimitGoesAlone() {
    assertThat(PredictionsClient.split(request(600, 10), 1 << 20, 256)).extracting(PredictRequest::getImagesCount)
        .containsExactly(256, 256, 88);
    assertThat(PredictionsClient.split(request(3, 5000), 1000, 256)).extracting(PredictRequest::getImagesCount)
        .containsExactly(1, 1, 1);
  }

  @Test
  void join_concatenatesPredictionsInOrder() {
    PredictResponse a = PredictResponse.newBuilder().addPredictions(prediction("x")).build();
    PredictResponse b = PredictResponse.newBuilder().addPredictions(prediction("y")).addPredictions(prediction("z"))
        .build();
    assertThat(PredictionsClient.join(List.of(a, b)).getPredictionsList()).extracting(p -> p.getLabels(0).getLabel())
        .containsExactly("x", "y", "z");
  }

  private static ImagePrediction prediction(String label) {
    return ImagePrediction.newBuilder().addLabels(LabelScore.newBuilder().setLabel(label).setScore(1)).build();
  }
}

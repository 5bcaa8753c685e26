package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Code;
import dev.nimbus.server.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImportCsvTest {
  private static ImportCsv parse(String s) {
    return ImportCsv.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<List<String>> fields(ImportCsv csv) {
    return csv.allRows().stream().map(ImportCsv.Row::fields).toList();
  }

  @Test
  void parse_quotesEmbeddedCommasCrlfAndBom() {
    ImportCsv csv = parse("\uFEFFTRAIN,\"a, b.jpg\",cat\r\n\"TEST\",\"say \"\"hi\"\".png\",dog\r\n");
    assertThat(fields(csv)).containsExactly(List.of("TRAIN", "a, b.jpg", "cat"), List.of("TEST", "say \"hi\".png", "dog"));
    assertThat(csv.rowCount()).isEqualTo(2);
  }

  @Test
  void parse_headerIsDetectedAndSkipped() {
    for (String header : List.of("set,uri,label", "ML_USE,image_uri,label", "path,label", "image,labels", "Split,File,Class")) {
      ImportCsv csv = parse(header + "\nTRAIN,a.jpg,cat\n");
      assertThat(csv.hasHeader()).as(header).isTrue();
      assertThat(fields(csv)).containsExactly(List.of("TRAIN", "a.jpg", "cat"));
    }
  }

  @Test
  void parse_dataFirstRowIsNotAHeader() {
    for (String first : List.of("TRAIN,uri.jpg,label", "a.jpg,image", "images/a.jpg,cat", "test,a.jpg,cat")) {
      assertThat(parse(first + "\n").hasHeader()).as(first).isFalse();
    }
  }

  @Test
  void rows_areNumberedByTheLineTheyStartOn_skippingBlankLines() {
    ImportCsv csv = parse("uri,label\n\na.jpg,cat\n\"multi\nline.jpg\",dog\n,,\nb.jpg,cat");
    assertThat(csv.allRows()).extracting(ImportCsv.Row::line).containsExactly(3L, 4L, 7L);
    assertThat(csv.rowCount()).isEqualTo(3);
  }

  @Test
  void rows_resumeFromAnIndex() {
    ImportCsv csv = parse("a,1\nb,2\nc,3\n");
    List<String> uris = new ArrayList<>();
    csv.rows(1).forEachRemaining(r -> uris.add(r.fields().get(0)));
    assertThat(uris).containsExactly("b", "c");
  }

  @Test
  void parse_lineNumbersHandleOldMacLineEnds() {
    assertThat(parse("a,1\rb,2\r").allRows()).extracting(ImportCsv.Row::line).containsExactly(1L, 2L);
  }

  @Test
  void parse_rejectsWhatIsNotACsv() {
    byte[] binary = new byte[64];
    new Random(3).nextBytes(binary);
    binary[10] = 0;
    assertInvalid(binary, "binary data");
    assertInvalid(new byte[0], "empty");
    assertInvalid("caf\u00e9,x".getBytes(StandardCharsets.ISO_8859_1), "not UTF-8");
    assertInvalid("a,b".getBytes(StandardCharsets.UTF_16), "UTF-16");
    assertInvalid("\"unterminated.jpg,cat\nb.jpg,dog\n".getBytes(StandardCharsets.UTF_8), "not valid CSV");
    assertInvalid("\"a.jpg\"x,cat\n".getBytes(StandardCharsets.UTF_8), "not valid CSV");
    assertInvalid("uri,label\n\n\n".getBytes(StandardCharsets.UTF_8), "no data rows");
    byte[] controls = new byte[200];
    Arrays.fill(controls, (byte) 1);
    assertInvalid(controls, "control characters");
  }

  private static void assertInvalid(byte[] bytes, String fragment) {
    assertThatThrownBy(() -> ImportCsv.parse(bytes))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains(fragment);
        });
  }
}

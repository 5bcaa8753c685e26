package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding the images a CSV names, the way the server's parser reads the rows. */
class CsvRowsTest {
  @Test
  void quotesCommasLineBreaksBomAndBlankLines() {
    String csv = "\uFEFFset,uri,label\r\n\r\nTRAIN, a.jpg ,cirrus\n\"b, \"\"c\"\".jpg\",cumulus\n"
        + "\"multi\nline.jpg\",x\nlast.jpg,y";
    assertThat(CsvRows.parse(csv)).containsExactly(List.of("set", "uri", "label"), List.of("TRAIN", "a.jpg", "cirrus"),
        List.of("b, \"c\".jpg", "cumulus"), List.of("multi\nline.jpg", "x"), List.of("last.jpg", "y"));
  }

  @Test
  void theUriIsTheFirstField_orTheSecondAfterASplit() {
    byte[] csv = ("TEST,img/1.jpg,a\nimg/2.jpg,b\ntraining,img/3.jpg,c\n,img/4.jpg,d\nunassigned,img/5.jpg,e\n")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(LocalImages.uris(csv)).containsExactly("img/1.jpg", "img/2.jpg", "img/3.jpg", "img/4.jpg",
        "img/5.jpg");
  }

  @Test
  void folderLayout_theTopFolderIsTheLabel_orTheSplitThenTheLabel() {
    assertThat(LocalImages.folderRow("cirrus/a.jpg")).isEqualTo("cirrus");
    assertThat(LocalImages.folderRow("cirrus/day/a.jpg")).isEqualTo("cirrus");
    assertThat(LocalImages.folderRow("test/cirrus/a.jpg")).isEqualTo("TEST|cirrus");
    assertThat(LocalImages.folderRow("Val/cumulus/x/a.jpg")).isEqualTo("VALIDATION|cumulus");
    assertThat(LocalImages.folderRow("test/a.jpg")).isEqualTo("test"); // a label that happens to be named test
    assertThat(LocalImages.folderRow("a.jpg")).isNull();
  }
}

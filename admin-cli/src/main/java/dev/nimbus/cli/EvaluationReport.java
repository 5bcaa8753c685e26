package dev.nimbus.cli;

import dev.nimbus.v1.ClassificationEvaluationMetrics;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusionMatrix;
import dev.nimbus.v1.EpochMetrics;
import dev.nimbus.v1.LabelCount;
import dev.nimbus.v1.MisclassifiedExample;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperatingPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A model's evaluation as one HTML page with PNG charts beside it, for people: what AutoML's console shows. The
 * page needs nothing but its folder (no scripts, no network): {@code index.html}, {@code charts/*.png} drawn with
 * XChart, and {@code misclassified/} holding the misclassified TEST images it shows.
 */
final class EvaluationReport {
  static final String INDEX = "index.html";
  static final String CHARTS = "charts";
  static final String GALLERY = "misclassified";
  private static final int WIDTH = 640;
  private static final int HEIGHT = 440;

  /** A misclassified TEST image with its bytes, or none if it could not be read (then only its caption shows). */
  record GalleryImage(MisclassifiedExample example, byte[] bytes, String mimeType) {}

  /** Everything the page shows: the model, its overall evaluation first then one per label, the gallery. */
  record Data(Model model, ModelEvaluation overall, List<ModelEvaluation> perLabel, List<GalleryImage> gallery) {}

  private EvaluationReport() {}

  /** Writes the report into {@code dir} (created if missing) and returns the path of its page. */
  static Path write(Data data, Path dir) throws IOException {
    Files.createDirectories(dir.resolve(CHARTS));
    Files.createDirectories(dir.resolve(GALLERY));
    List<String> charts = new ArrayList<>();
    ClassificationEvaluationMetrics overall = data.overall().getClassificationEvaluationMetrics();
    charts.add(save(dir, "precision-recall.png", precisionRecall(data)));
    charts.add(save(dir, "threshold.png", byThreshold(overall, data.model().getOperatingPointsList())));
    boolean confusion = overall.getConfusionMatrix().getLabelsCount() > 0;
    if (confusion) {
      charts.add(save(dir, "confusion-matrix.png", confusion(overall.getConfusionMatrix())));
    }
    List<EpochMetrics> curve = data.model().getTrainingSummary().getCurveList();
    boolean training = !curve.isEmpty();
    if (training) {
      charts.add(save(dir, "training-loss.png", trainingLoss(curve)));
      charts.add(save(dir, "training-accuracy.png", trainingAccuracy(curve)));
    }
    List<LabelCount> counts = data.model().getTrainingSummary().getLabelCountsList();
    if (!counts.isEmpty()) {
      charts.add(save(dir, "label-counts.png", labelCounts(counts)));
    }
    List<String> galleryFiles = new ArrayList<>();
    int n = 0;
    for (GalleryImage image : data.gallery()) {
      n++;
      if (image.bytes() == null) {
        galleryFiles.add(null);
        continue;
      }
      String base = GALLERY + "/" + String.format(Locale.ROOT, "%03d", n);
      galleryFiles.add(writeViewable(dir, base, image));
    }
    Path page = dir.resolve(INDEX);
    Path partial = dir.resolve(INDEX + ".partial");
    Files.writeString(partial, html(data, galleryFiles, confusion, training, !counts.isEmpty()),
        StandardCharsets.UTF_8);
    Files.move(partial, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return page;
  }

  /**
   * Writes a gallery image as browsers can show it: as it is when they can, TIFF (or anything unknown) turned into
   * PNG; null if it cannot be decoded.
   */
  private static String writeViewable(Path dir, String base, GalleryImage image) throws IOException {
    String extension = DatasetExamples.extension(image.mimeType());
    if (BROWSER_FORMATS.contains(extension)) {
      Files.write(dir.resolve(base + "." + extension), image.bytes());
      return base + "." + extension;
    }
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(image.bytes()));
    } catch (IOException | RuntimeException e) {
      decoded = null;
    }
    if (decoded == null) {
      return null;
    }
    ImageIO.write(decoded, "png", dir.resolve(base + ".png").toFile());
    return base + ".png";
  }

  private static String save(Path dir, String name, Chart<?, ?> chart) throws IOException {
    String file = CHARTS + "/" + name;
    Path partial = dir.resolve(file + ".partial");
    try (var out = Files.newOutputStream(partial)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    Files.move(partial, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private static <S extends Styler> S style(S styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    if (!(styler instanceof HeatMapStyler)) {
      styler.setLegendPosition(Styler.LegendPosition.InsideSW);
    }
    styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
    styler.setAntiAlias(true);
    return styler;
  }

  /** Precision against recall over the score thresholds: overall, then one line per label. */
  static XYChart precisionRecall(Data data) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Precision-recall curve")
        .xAxisTitle("Recall").yAxisTitle("Precision").build();
    style(chart.getStyler()).setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
        .setMarkerSize(4);
    addPrCurve(chart, "all labels (AuPRC " + f(data.overall().getClassificationEvaluationMetrics().getAuPrc()) + ")",
        data.overall().getClassificationEvaluationMetrics(), new BasicStroke(3f));
    for (ModelEvaluation e : data.perLabel()) {
      addPrCurve(chart, e.getLabel() + " (" + f(e.getClassificationEvaluationMetrics().getAuPrc()) + ")",
          e.getClassificationEvaluationMetrics(), new BasicStroke(1.5f));
    }
    return chart;
  }

  private static void addPrCurve(XYChart chart, String name, ClassificationEvaluationMetrics m, BasicStroke stroke) {
    List<ConfidenceMetricsEntry> points = new ArrayList<>(m.getConfidenceMetricsList());
    points.removeIf(c -> Float.isNaN(c.getPrecision()) || Float.isNaN(c.getRecall()));
    if (points.isEmpty()) {
      return;
    }
    // From the highest threshold down: recall grows along the curve.
    points.sort(Comparator.comparingDouble(ConfidenceMetricsEntry::getConfidenceThreshold).reversed());
    double[] x = points.stream().mapToDouble(ConfidenceMetricsEntry::getRecall).toArray();
    double[] y = points.stream().mapToDouble(ConfidenceMetricsEntry::getPrecision).toArray();
    XYSeries s = chart.addSeries(name, x, y);
    s.setLineStyle(stroke);
    s.setMarker(SeriesMarkers.NONE);
  }

  /** Precision and recall against the score threshold, with the saved operating points marked. */
  static XYChart byThreshold(ClassificationEvaluationMetrics m, List<OperatingPoint> points) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Precision and recall by score threshold").xAxisTitle("Score threshold").yAxisTitle("").build();
    style(chart.getStyler()).setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
        .setMarkerSize(9);
    List<ConfidenceMetricsEntry> table = new ArrayList<>(m.getConfidenceMetricsList());
    table.sort(Comparator.comparingDouble(ConfidenceMetricsEntry::getConfidenceThreshold));
    double[] t = table.stream().mapToDouble(ConfidenceMetricsEntry::getConfidenceThreshold).toArray();
    if (t.length > 0) {
      line(chart, "precision", t, table.stream().mapToDouble(c -> nanToZero(c.getPrecision())).toArray());
      line(chart, "recall", t, table.stream().mapToDouble(ConfidenceMetricsEntry::getRecall).toArray());
    }
    for (OperatingPoint p : points) {
      XYSeries s = chart.addSeries(p.getName() + " @ " + f(p.getScoreThreshold()),
          new double[] {p.getScoreThreshold(), p.getScoreThreshold()}, new double[] {p.getPrecision(), p.getRecall()});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private static void line(XYChart chart, String name, double[] x, double[] y) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(new BasicStroke(2.5f));
  }

  /** The confusion matrix as a heat map with the counts written in the cells. */
  static HeatMapChart confusion(ConfusionMatrix cm) {
    int n = cm.getLabelsCount();
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Confusion matrix (rows: true label)").xAxisTitle("Predicted label").yAxisTitle("True label").build();
    style(chart.getStyler()).setShowValue(true).setValueFontColor(Color.BLACK)
        .setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, n > 8 ? 10 : 14))
        .setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 81, 156)})
        .setHeatMapValueDecimalPattern("#");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setLegendVisible(false);
    List<String> labels = cm.getLabelsList();
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long count = i < cm.getRowsCount() && j < cm.getRows(i).getExampleCountCount()
            ? cm.getRows(i).getExampleCount(j) : 0;
        // x: predicted (column), y: true (row), drawn with the first label at the top.
        cells.add(new Number[] {j, n - 1 - i, count});
      }
    }
    List<String> rowsTopDown = new ArrayList<>(labels);
    Collections.reverse(rowsTopDown);
    chart.addSeries("confusion", labels, rowsTopDown, cells);
    return chart;
  }

  static XYChart trainingLoss(List<EpochMetrics> curve) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Training curve: loss")
        .xAxisTitle("Epoch").yAxisTitle("Cross-entropy loss").build();
    style(chart.getStyler()).setYAxisMin(0.0).setMarkerSize(5);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    double[] epochs = curve.stream().mapToDouble(EpochMetrics::getEpoch).toArray();
    line(chart, "train loss", epochs, curve.stream().mapToDouble(e -> nanToZero(e.getTrainLoss())).toArray());
    if (curve.stream().anyMatch(e -> e.getValidationLoss() > 0)) {
      line(chart, "validation loss", epochs,
          curve.stream().mapToDouble(e -> nanToZero(e.getValidationLoss())).toArray());
    }
    return chart;
  }

  static XYChart trainingAccuracy(List<EpochMetrics> curve) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Training curve: validation accuracy")
        .xAxisTitle("Epoch").yAxisTitle("Accuracy").build();
    style(chart.getStyler()).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    double[] epochs = curve.stream().mapToDouble(EpochMetrics::getEpoch).toArray();
    line(chart, "validation accuracy", epochs,
        curve.stream().mapToDouble(e -> nanToZero(e.getValidationAccuracy())).toArray());
    return chart;
  }

  static CategoryChart labelCounts(List<LabelCount> counts) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Images per label and split")
        .xAxisTitle("Label").yAxisTitle("Images").build();
    style(chart.getStyler()).setStacked(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    List<String> labels = counts.stream().map(LabelCount::getLabel).toList();
    chart.addSeries("TRAIN", labels, counts.stream().map(c -> (Number) c.getTrain()).toList());
    chart.addSeries("VALIDATION", labels, counts.stream().map(c -> (Number) c.getValidation()).toList());
    chart.addSeries("TEST", labels, counts.stream().map(c -> (Number) c.getTest()).toList());
    return chart;
  }

  private static String html(Data data, List<String> galleryFiles, boolean confusion, boolean training,
      boolean counts) {
    Model model = data.model();
    ClassificationEvaluationMetrics m = data.overall().getClassificationEvaluationMetrics();
    ConfidenceMetricsEntry half = ModelEvaluate.at(m, 0.5f);
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Evaluation of ").append(esc(model.getName())).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}\n")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .7em;")
        .append("text-align:right}th{background:#f4f6f8}td.l,th.l{text-align:left}\n")
        .append(".charts{display:flex;flex-wrap:wrap;gap:1em}.charts img{border:1px solid #ddd;max-width:100%}\n")
        .append(".gallery{display:flex;flex-wrap:wrap;gap:1em}.gallery figure{margin:0;width:200px}")
        .append(".gallery img{width:200px;height:150px;object-fit:cover;border:1px solid #ccc}")
        .append("figcaption{font-size:.85em}\n.num{font-size:1.6em;font-weight:600}\n</style>\n</head>\n<body>\n");
    h.append("<h1>Evaluation of <code>").append(esc(model.getName())).append("</code></h1>\n<p>Base model <code>")
        .append(esc(model.getBaseModel())).append("</code>, trained on <code>").append(esc(model.getDataset()))
        .append("</code> (").append(model.getTrainExampleCount()).append(" training images); evaluated on ")
        .append(data.overall().getEvaluatedExampleCount()).append(" TEST images. Labels: ")
        .append(esc(String.join(", ", model.getLabelsList()))).append(".</p>\n");
    h.append("<table id=\"summary\">\n");
    row(h, "AuPRC", f(m.getAuPrc()));
    row(h, "AuROC", f(m.getAuRoc()));
    row(h, "Accuracy (top-1)", f(m.getAccuracy()));
    row(h, "Log loss", f(m.getLogLoss()));
    if (half != null) {
      row(h, "Precision at score threshold " + f2(half.getConfidenceThreshold()), f(half.getPrecision()));
      row(h, "Recall at score threshold " + f2(half.getConfidenceThreshold()), f(half.getRecall()));
    }
    row(h, "TEST images", Long.toString(data.overall().getEvaluatedExampleCount()));
    h.append("</table>\n");

    h.append("<h2>Precision and recall</h2>\n<div class=\"charts\">\n");
    img(h, CHARTS + "/precision-recall.png", "Precision-recall curve, overall and per label");
    img(h, CHARTS + "/threshold.png", "Precision and recall against the score threshold, operating points marked");
    h.append("</div>\n");
    h.append("<table id=\"per-label\"><tr><th class=\"l\">Label</th><th>TEST images</th><th>AuPRC</th>")
        .append("<th>Precision at 0.5</th><th>Recall at 0.5</th></tr>\n");
    for (ModelEvaluation e : data.perLabel()) {
      ConfidenceMetricsEntry at = ModelEvaluate.at(e.getClassificationEvaluationMetrics(), 0.5f);
      h.append("<tr><td class=\"l\">").append(esc(e.getLabel())).append("</td><td>")
          .append(e.getEvaluatedExampleCount()).append("</td><td>")
          .append(f(e.getClassificationEvaluationMetrics().getAuPrc())).append("</td><td>")
          .append(at == null ? "" : f(at.getPrecision())).append("</td><td>")
          .append(at == null ? "" : f(at.getRecall())).append("</td></tr>\n");
    }
    h.append("</table>\n");
    if (model.getOperatingPointsCount() > 0) {
      h.append("<h3>Operating points</h3>\n<table id=\"operating-points\"><tr><th class=\"l\">Name</th>")
          .append("<th>Score threshold</th><th>Precision</th><th>Recall</th><th>F1</th></tr>\n");
      for (OperatingPoint p : model.getOperatingPointsList()) {
        h.append("<tr><td class=\"l\">").append(esc(p.getName())).append("</td><td>").append(f(p.getScoreThreshold()))
            .append("</td><td>").append(f(p.getPrecision())).append("</td><td>").append(f(p.getRecall()))
            .append("</td><td>").append(f(p.getF1Score())).append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    if (confusion) {
      ConfusionMatrix cm = m.getConfusionMatrix();
      h.append("<h2>Confusion matrix</h2>\n<div class=\"charts\">\n");
      img(h, CHARTS + "/confusion-matrix.png", "Confusion matrix heat map");
      h.append("</div>\n<table id=\"confusion\"><tr><th class=\"l\">true \\ predicted</th>");
      for (String label : cm.getLabelsList()) {
        h.append("<th>").append(esc(label)).append("</th>");
      }
      h.append("</tr>\n");
      for (int i = 0; i < cm.getRowsCount(); i++) {
        h.append("<tr><th class=\"l\">").append(esc(cm.getLabels(i))).append("</th>");
        for (long c : cm.getRows(i).getExampleCountList()) {
          h.append("<td>").append(c).append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }
    if (training || counts) {
      h.append("<h2>Training</h2>\n<div class=\"charts\">\n");
      if (training) {
        img(h, CHARTS + "/training-loss.png", "Training and validation loss per epoch");
        img(h, CHARTS + "/training-accuracy.png", "Validation accuracy per epoch");
      }
      if (counts) {
        img(h, CHARTS + "/label-counts.png", "Images per label and split");
      }
      h.append("</div>\n");
      if (counts) {
        h.append("<table id=\"label-counts\"><tr><th class=\"l\">Label</th><th>TRAIN</th><th>VALIDATION</th>")
            .append("<th>TEST</th></tr>\n");
        for (LabelCount c : model.getTrainingSummary().getLabelCountsList()) {
          h.append("<tr><td class=\"l\">").append(esc(c.getLabel())).append("</td><td>").append(c.getTrain())
              .append("</td><td>").append(c.getValidation()).append("</td><td>").append(c.getTest())
              .append("</td></tr>\n");
        }
        h.append("</table>\n");
      }
    }
    h.append("<h2>Misclassified TEST images</h2>\n");
    if (data.gallery().isEmpty()) {
      h.append("<p>None: every TEST image's top label is its true label.</p>\n");
    } else {
      h.append("<p>").append(data.gallery().size()).append(" shown of ").append(m.getMisclassifiedExamplesCount())
          .append(", the most confidently wrong first.</p>\n<div class=\"gallery\">\n");
      for (int i = 0; i < data.gallery().size(); i++) {
        MisclassifiedExample e = data.gallery().get(i).example();
        String caption = "true: " + String.join(", ", e.getTrueLabelsList()) + "; predicted: "
            + (e.getPredictedLabelsCount() == 0 ? "(none)" : String.join(", ", e.getPredictedLabelsList()))
            + " (" + f(e.getTopScore()) + ")";
        h.append("<figure>");
        if (galleryFiles.get(i) != null) {
          h.append("<img src=\"").append(esc(galleryFiles.get(i))).append("\" alt=\"").append(esc(caption))
              .append("\">");
        }
        String id = e.getExample().substring(e.getExample().lastIndexOf('/') + 1);
        h.append("<figcaption>").append(esc(caption)).append("<br><code title=\"").append(esc(e.getExample()))
            .append("\">").append(esc(id.substring(0, Math.min(12, id.length())))).append("</code></figcaption>")
            .append("</figure>\n");
      }
      h.append("</div>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th class=\"l\">").append(esc(name)).append("</th><td class=\"num\">").append(esc(value))
        .append("</td></tr>\n");
  }

  private static void img(StringBuilder h, String src, String alt) {
    h.append("<img src=\"").append(esc(src)).append("\" alt=\"").append(esc(alt)).append("\" width=\"")
        .append(WIDTH).append("\" height=\"").append(HEIGHT).append("\">\n");
  }

  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** What browsers show as it is; TIFF and unknown types are turned into PNG. */
  private static final Set<String> BROWSER_FORMATS = Set.of("jpg", "png", "gif", "bmp", "webp");

  private static double nanToZero(float v) {
    return Float.isNaN(v) ? 0 : v;
  }

  private static String f(float v) {
    return ModelEvaluate.f(v);
  }

  private static String f2(float v) {
    return ModelEvaluate.f2(v);
  }

}

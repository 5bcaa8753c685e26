package dev.nimbus.server.dataset;

import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.MlUse;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Iterators over the images a CSV snapshot or a dataset split names, read one at a time. */
final class NamedImages {
  private static final int PAGE = 256;

  private NamedImages() {}

  /** The CSV's rows in order: the first field after an optional ML_USE column is the URI. */
  static Iterator<NamedImage> ofCsv(ImportCsv csv, ImportSources sources, Path base) {
    Iterator<ImportCsv.Row> rows = csv.rows(0);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public NamedImage next() {
        ImportCsv.Row row = rows.next();
        List<String> f = row.fields();
        int at = !f.isEmpty() && ImportCsv.MlUseColumn.parse(f.get(0)) != null ? 1 : 0;
        String uri = at < f.size() ? f.get(at) : "";
        if (uri.isEmpty()) {
          return failed(row.line(), uri, RowFailure.Reason.INVALID_URI, "the row has no URI");
        }
        try {
          return new NamedImage(row.line(), uri, null, sources.read(uri, base), null);
        } catch (RowFailure.RowException e) {
          return failed(row.line(), uri, e.reason(), e.getMessage());
        }
      }
    };
  }

  private static NamedImage failed(long line, String uri, RowFailure.Reason reason, String message) {
    return new NamedImage(line, uri, null, null, new RowFailure(line, uri, reason, message).toStatus());
  }

  /** A dataset's examples in {@code use} (null: every split), in import order, a page of rows at a time. */
  static Iterator<NamedImage> ofExamples(DatasetStore store, BlobStore blobs, String datasetId, MlUse use) {
    return new Iterator<>() {
      private final ArrayDeque<ExampleRow> page = new ArrayDeque<>();
      private long after;
      private long index;

      @Override
      public boolean hasNext() {
        if (page.isEmpty()) {
          List<ExampleRow> rows = store.examples(datasetId, null, use, after, PAGE);
          if (!rows.isEmpty()) {
            after = rows.get(rows.size() - 1).seq();
            page.addAll(rows);
          }
        }
        return !page.isEmpty();
      }

      @Override
      public NamedImage next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        ExampleRow e = page.poll();
        index++;
        return new NamedImage(index, null, ResourceNames.example(datasetId, e.sha256()), blobs.read(e.sha256()),
            null);
      }
    };
  }
}

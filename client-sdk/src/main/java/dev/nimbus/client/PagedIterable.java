package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The items of a paged List call, fetched one page at a time as iteration reaches them: nothing is fetched
 * until the first {@code hasNext()}, and a loop that stops early never fetches the pages after it. Each
 * {@link #iterator()} starts again from the first page. Iterators are not thread-safe. A failed page fetch
 * throws its {@link io.grpc.StatusRuntimeException} from {@code hasNext()}.
 *
 * @param <T> the item type, e.g. {@code Dataset}
 */
public final class PagedIterable<T> implements Iterable<T> {
  private final String firstPageToken;
  private final Function<String, Page<T>> fetchPage;

  private PagedIterable(String firstPageToken, Function<String, Page<T>> fetchPage) {
    this.firstPageToken = firstPageToken;
    this.fetchPage = fetchPage;
  }

  /**
   * Pages of {@code fetch(pageToken)} until a response's next page token is empty.
   *
   * @param firstPageToken usually {@code ""}: where the first request starts
   * @param fetch calls the List method with the given page token (and everything else held fixed)
   */
  static <R, T> PagedIterable<T> of(String firstPageToken, Function<String, R> fetch,
      Function<R, List<T>> items, Function<R, String> nextPageToken) {
    requireNonNull(firstPageToken, "firstPageToken");
    return new PagedIterable<>(firstPageToken, token -> {
      R response = fetch.apply(token);
      return new Page<>(items.apply(response), nextPageToken.apply(response));
    });
  }

  @Override
  public Iterator<T> iterator() {
    return new PageIterator();
  }

  /** A sequential stream over the same lazily fetched pages. */
  public Stream<T> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  private record Page<T>(List<T> items, String nextPageToken) {}

  private final class PageIterator implements Iterator<T> {
    private Iterator<T> current = List.<T>of().iterator();
    private String nextToken = firstPageToken;
    private boolean lastPageFetched;

    @Override
    public boolean hasNext() {
      // A loop, not an if: a server may return an empty page that still has a next page token.
      while (!current.hasNext() && !lastPageFetched) {
        String requested = nextToken;
        Page<T> page = fetchPage.apply(requested);
        current = page.items().iterator();
        nextToken = page.nextPageToken();
        lastPageFetched = nextToken.isEmpty();
        if (!lastPageFetched && nextToken.equals(requested)) {
          // Asking again with the same token would loop forever.
          throw new IllegalStateException("server returned page token '" + requested + "' as its own next page token");
        }
      }
      return current.hasNext();
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}

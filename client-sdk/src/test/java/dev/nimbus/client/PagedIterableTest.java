package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PagedIterableTest {
  private final FakeDatasetService fake = new FakeDatasetService();
  private InProcessServer server;
  private NimbusClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = InProcessServer.start(fake);
    client = NimbusClient.forChannel(server.channel());
    page("", "p2", "a", "b");
    page("p2", "p3", "c", "d");
    page("p3", "", "e");
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
  }

  private void page(String token, String nextToken, String... ids) {
    ListDatasetsResponse.Builder page = ListDatasetsResponse.newBuilder().setNextPageToken(nextToken);
    for (String id : ids) {
      page.addDatasets(Dataset.newBuilder().setName("datasets/" + id));
    }
    fake.datasetPages.put(token, page.build());
  }

  private List<String> requestedTokens() {
    return fake.listRequests.stream().map(ListDatasetsRequest::getPageToken).toList();
  }

  @Test
  void list_fetchesEachPageOnlyWhenIterationReachesIt() {
    PagedIterable<Dataset> all = client.datasets().list();
    Iterator<Dataset> datasets = all.iterator();
    assertThat(fake.listRequests).as("before iterating").isEmpty();

    assertThat(datasets.next().getName()).isEqualTo("datasets/a");
    assertThat(datasets.next().getName()).isEqualTo("datasets/b");
    assertThat(requestedTokens()).containsExactly("");

    assertThat(datasets.next().getName()).isEqualTo("datasets/c");
    assertThat(requestedTokens()).containsExactly("", "p2");

    assertThat(datasets.next().getName()).isEqualTo("datasets/d");
    assertThat(datasets.next().getName()).isEqualTo("datasets/e");
    assertThat(datasets.hasNext()).isFalse();
    assertThat(datasets.hasNext()).isFalse();
    assertThat(requestedTokens()).containsExactly("", "p2", "p3");
  }

  @Test
  void stream_thatStopsEarly_neverFetchesTheLaterPages() {
    List<String> firstThree = client.datasets().list().stream().limit(3).map(Dataset::getName).toList();

    assertThat(firstThree).containsExactly("datasets/a", "datasets/b", "datasets/c");
    assertThat(requestedTokens()).containsExactly("", "p2");
  }

  @Test
  void list_iteratedTwice_startsOverFromTheFirstPage() {
    PagedIterable<Dataset> all = client.datasets().list();

    String first = all.stream().map(Dataset::getName).collect(Collectors.joining(","));
    String second = all.stream().map(Dataset::getName).collect(Collectors.joining(","));

    assertThat(first).isEqualTo("datasets/a,datasets/b,datasets/c,datasets/d,datasets/e").isEqualTo(second);
    assertThat(requestedTokens()).containsExactly("", "p2", "p3", "", "p2", "p3");
  }

  @Test
  void list_withRequest_keepsItsPageSizeOnEveryPage_andStartsAtItsToken() {
    List<Dataset> fromSecondPage =
        client.datasets().list(ListDatasetsRequest.newBuilder().setPageSize(2).setPageToken("p2").build())
            .stream().toList();

    assertThat(fromSecondPage).extracting(Dataset::getName).containsExactly("datasets/c", "datasets/d",
        "datasets/e");
    assertThat(requestedTokens()).containsExactly("p2", "p3");
    assertThat(fake.listRequests).extracting(ListDatasetsRequest::getPageSize).containsOnly(2);
  }

  @Test
  void list_emptyPageWithANextToken_goesOnToTheNextPage() {
    page("p2", "p3");

    assertThat(client.datasets().list()).extracting(Dataset::getName)
        .containsExactly("datasets/a", "datasets/b", "datasets/e");
  }

  @Test
  void list_pageThatNamesItselfAsNext_failsInsteadOfLoopingForever() {
    page("p2", "p2", "c");

    assertThatThrownBy(() -> client.datasets().list().stream().toList())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'p2'");
  }

  @Test
  void list_failedPageFetch_throwsItsStatusFromIteration() {
    fake.failingPages.put("p2", Status.UNAVAILABLE.withDescription("server restarting"));
    Iterator<Dataset> datasets = client.datasets().list().iterator();
    datasets.next();
    datasets.next();

    assertThatThrownBy(datasets::hasNext)
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void listExamples_sendsTheQualifiedParentAndTheFilter() {
    assertThat(client.datasets().listExamples("clouds", "label = \"cirrus\" AND ml_use = TEST")).isEmpty();

    assertThat(fake.listExamplesRequests).containsExactly(ListExamplesRequest.newBuilder()
        .setParent("datasets/clouds").setFilter("label = \"cirrus\" AND ml_use = TEST").build());
  }
}

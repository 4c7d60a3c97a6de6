package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DcgmExporterScraperTest {

  @Test
  void anAddressIsScrapedAsItIs() throws Exception {
    URI url = URI.create("http://10.0.0.7:9400/metrics");
    assertThat(DcgmExporterScraper.targets(url)).containsExactly(url);
  }

  /** A name with several addresses (a headless Service's) is scraped at each, path kept. */
  @Test
  void aNameIsScrapedAtEveryAddressItResolvesTo() throws Exception {
    List<URI> targets =
        DcgmExporterScraper.targets(URI.create("http://localhost:9400/metrics?collect=util"));
    InetAddress[] addresses = InetAddress.getAllByName("localhost");
    assertThat(targets).hasSize(addresses.length);
    assertThat(targets)
        .allSatisfy(
            t -> {
              assertThat(t.getPort()).isEqualTo(9400);
              assertThat(t.getPath()).isEqualTo("/metrics");
              assertThat(t.getQuery()).isEqualTo("collect=util");
            });
    if (addresses.length > 1) {
      assertThat(targets)
          .extracting(t -> InetAddress.getByName(t.getHost()))
          .containsExactlyInAnyOrderElementsOf(Arrays.asList(addresses));
    }
  }

  @Test
  void httpsKeepsItsHostNameForTls() throws Exception {
    URI url = URI.create("https://localhost:9400/metrics");
    assertThat(DcgmExporterScraper.targets(url)).containsExactly(url);
  }
}

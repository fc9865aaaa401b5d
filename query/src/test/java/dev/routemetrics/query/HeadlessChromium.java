package dev.routemetrics.query;

import dev.routemetrics.query.review.PdfPrinter;
import java.io.File;
import java.nio.file.Path;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium through its chromedriver, as every browser test drives it (deploy/install.sh
 * installs both): headless, no sandbox, nothing fetched from the network, a profile of the test's
 * own, US English, so that numbers render the same on every machine.
 */
public final class HeadlessChromium {

  private HeadlessChromium() {}

  /** {@code windowSize}: width,height in CSS pixels, e.g. {@code 1400,2100}. */
  public static WebDriver start(Path profile, String windowSize) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(PdfPrinter.chromiumBinary().toString());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=" + windowSize,
        "--lang=en-US");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(
                new File(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }
}

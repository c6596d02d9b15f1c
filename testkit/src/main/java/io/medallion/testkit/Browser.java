package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium}) for tests of web pages served on 127.0.0.1: the DOM
 * after the page's scripts ran, and a screenshot. {@code MEDALLION_CHROMIUM} names another binary.
 */
public final class Browser {
  private Browser() {}

  /** The Chromium binary, or a failure that says how to install it. */
  public static Path chromium() {
    String configured = System.getenv("MEDALLION_CHROMIUM");
    for (String candidate :
        configured != null
            ? List.of(configured)
            : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    throw new IllegalStateException(
        "headless Chromium is needed for the live view's browser test and was not found:"
            + " install it (Debian: apt-get install chromium; .ci/run does) or set"
            + " MEDALLION_CHROMIUM to a Chromium binary");
  }

  /**
   * The page's DOM once its scripts ran and its requests finished, within {@code budgetMillis} of
   * the page's own (virtual) time.
   */
  public static String dom(String url, int budgetMillis) {
    return new String(run(List.of("--dump-dom"), url, budgetMillis), StandardCharsets.UTF_8);
  }

  /** A PNG screenshot of the page, {@code width} by {@code height}, once its scripts ran. */
  public static Path screenshot(String url, Path png, int width, int height, int budgetMillis) {
    run(
        List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height),
        url,
        budgetMillis);
    if (!Files.exists(png)) {
      throw new IllegalStateException("Chromium wrote no screenshot to " + png);
    }
    return png;
  }

  private static byte[] run(List<String> action, String url, int budgetMillis) {
    Path profile;
    try {
      profile = Files.createTempDirectory("medallion-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>();
    command.add(chromium().toString());
    // Flags that keep Chromium off the network it would otherwise try at every start.
    command.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-crash-reporter",
            "--disable-dev-shm-usage",
            "--disable-breakpad",
            "--hide-scrollbars",
            "--user-data-dir=" + profile,
            "--virtual-time-budget=" + budgetMillis));
    command.addAll(action);
    command.add(url);
    try {
      // Output to files, not pipes: Chromium's helper processes (crash handler, zygote) inherit
      // its pipes and can hold them open after it exits, and a read would then never end.
      Path out = Files.createTempFile("medallion-chromium", ".out");
      Path err = Files.createTempFile("medallion-chromium", ".log");
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      try {
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException(
              "Chromium did not finish within 2 minutes: "
                  + command
                  + "\n"
                  + Files.readString(err));
        }
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "Chromium exited with " + p.exitValue() + ": " + Files.readString(err));
      }
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

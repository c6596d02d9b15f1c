package io.medallion.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void everyCodeIsUniqueAndHasARunbookSection() throws Exception {
    String runbook = Files.readString(Path.of("..", "docs", "reliability.md"));
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).distinct())
        .hasSize(ErrorCode.values().length);
    for (ErrorCode code : ErrorCode.values()) {
      if (code != ErrorCode.SPEC_INVALID) {
        assertThat(runbook).contains("\n### " + code.code() + " " + code.title() + "\n");
      }
    }
  }

  @Test
  void aCatalogErrorEndsWithItsRunbookSection() {
    MedallionException e = Errors.checkpointLocked("42", "bronze.plays", "/lake/_checkpoints/x");
    assertThat(e.code()).contains(ErrorCode.CHECKPOINT_LOCKED);
    assertThat(e.getMessage())
        .isEqualTo(
            "another process (pid 42) is already running bronze.plays on the checkpoint"
                + " /lake/_checkpoints/x. Two queries on one checkpoint would both write the table"
                + " and corrupt the checkpoint.\n"
                + "  Fix: Stop the other process first (Ctrl-C, or kill 42), or run this job on"
                + " another lake root.\n"
                + "  Runbook: docs/reliability.md#m204-checkpoint-locked (M204)");
  }

  @Test
  void aLeaseErrorSaysWhenTheLeaseExpires() {
    MedallionException e =
        Errors.checkpointLeased("h:1:u", 7, "silver.plays", "s3a://b/c", Duration.ofSeconds(60));
    assertThat(e.fix()).contains("expires 60 s after its last renewal");
    assertThat(e.problem()).startsWith("another job (h:1:u, lease renewed 7 s ago) is running");
  }

  @Test
  void specErrorsCarryTheirCodeButNameTheirOwnLocation() {
    SpecException e = new SpecException("p.yaml", 4, "sources.a", "unknown key 'x'", "Remove it.");
    assertThat(e.code()).contains(ErrorCode.SPEC_INVALID);
    assertThat(e.getMessage())
        .isEqualTo("p.yaml:4 [sources.a]: unknown key 'x'\n  Fix: Remove it.");
  }

  @Test
  void anErrorWithoutACodeIsPrintedAsBefore() {
    assertThat(new MedallionException("it broke.", "Mend it.").getMessage())
        .isEqualTo("it broke.\n  Fix: Mend it.");
    assertThat(new MedallionException("it broke.", "").code()).isEmpty();
  }
}

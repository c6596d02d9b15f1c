package io.medallion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaAuthTest {
  @Test
  void mskIamGivesTheFourClientSettingsOfAwsMskIamAuth() {
    assertThat(KafkaAuth.parse("aws-msk-iam").with(Map.of()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "AWS_MSK_IAM",
                "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;",
                "sasl.client.callback.handler.class",
                    "software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
  }

  @Test
  void anExplicitKafkaSettingWinsOverTheMethods() {
    assertThat(
            KafkaAuth.parse("AWS-MSK-IAM")
                .with(Map.of("sasl.jaas.config", "custom;", "client.id", "x")))
        .containsEntry("sasl.jaas.config", "custom;")
        .containsEntry("client.id", "x")
        .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
        .hasSize(5);
  }

  @Test
  void noneAndAnEmptyValueAddNothing() {
    assertThat(KafkaAuth.parse("none").with(Map.of("a", "b")))
        .containsExactlyEntriesOf(Map.of("a", "b"));
    assertThat(KafkaAuth.parse(" ")).isEqualTo(KafkaAuth.NONE);
  }
}

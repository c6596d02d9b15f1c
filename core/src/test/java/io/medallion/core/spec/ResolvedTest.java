package io.medallion.core.spec;

import static io.medallion.core.spec.Resolved.at;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResolvedTest {
  @Test
  void theTableWinsOverItsLayerAndTheBuiltInDefault() {
    Resolved<String> r =
        Resolved.of(
            "5s", at("silver.tables.plays.trigger_interval", "1s"), at("silver.defaults.x", "2s"));
    assertThat(r).isEqualTo(new Resolved<>("1s", "silver.tables.plays.trigger_interval"));
    assertThat(r.builtIn()).isFalse();
  }

  @Test
  void theLayerWinsWhenTheTableSaysNothing() {
    Resolved<String> r =
        Resolved.of(
            "5s",
            at("silver.tables.plays.trigger_interval", null),
            at("silver.defaults.trigger_interval", "2s"));
    assertThat(r).isEqualTo(new Resolved<>("2s", "silver.defaults.trigger_interval"));
  }

  @Test
  void theBuiltInDefaultWhenNoLevelSaysAnything() {
    Resolved<Integer> r = Resolved.of(7, at("a", null), at("b", null), at("c", null));
    assertThat(r.value()).isEqualTo(7);
    assertThat(r.key()).isEqualTo(Resolved.BUILT_IN);
    assertThat(r.builtIn()).isTrue();
  }

  @Test
  void aFalseOrEmptyValueIsStillASetting() {
    assertThat(Resolved.of(true, at("t.auto_compact", false), at("l.auto_compact", true)))
        .isEqualTo(new Resolved<>(false, "t.auto_compact"));
  }
}

package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.RetryPolicy;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline.Write;
import io.medallion.core.spec.Pipeline.WriteMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SQL the silver writers share, and which writer each write mode gets. */
class SilverWriterTest {
  private static final DeltaWriter DELTA = new DeltaWriter(RetryPolicy.DEFAULT, FaultInjector.NONE);

  private static Write write(WriteMode mode, String deleteWhen) {
    return new Write(mode, List.of("id"), "seq", "at", deleteWhen, List.of());
  }

  @Test
  void eachWriteModeGetsItsWriter() {
    assertThat(SilverWriter.of(write(WriteMode.APPEND, ""), "/t", "/s", DELTA))
        .isInstanceOf(AppendWriter.class);
    assertThat(SilverWriter.of(write(WriteMode.SCD1, ""), "/t", "/s", DELTA))
        .isInstanceOf(Scd1Writer.class);
    assertThat(SilverWriter.of(write(WriteMode.SCD2, ""), "/t", "/s", DELTA))
        .isInstanceOf(Scd2Writer.class);
  }

  @Test
  void scdWritersRefuseToReplaceARange() {
    SilverWriter scd1 = SilverWriter.of(write(WriteMode.SCD1, ""), "/t", "/s", DELTA);

    assertThatThrownBy(() -> scd1.planReplacing(null, 0, "true"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("only append tables replace a range of rows");
  }

  @Test
  void keyMatchComparesEveryQuotedKeyColumn() {
    assertThat(SilverWriter.keyMatch(List.of("title_id"), "t", "s"))
        .isEqualTo("t.`title_id` = s.`title_id`");
    assertThat(SilverWriter.keyMatch(List.of("a", "odd`b"), "e", "k"))
        .isEqualTo("e.`a` = k.`a` AND e.`odd``b` = k.`odd``b`");
  }

  @Test
  void fromSourceAssignsEveryColumnFromTheSourceInOrder() {
    Map<String, String> assign = SilverWriter.fromSource(new String[] {"id", "seq", "name"});

    assertThat(assign)
        .containsExactly(
            Map.entry("`id`", "s.`id`"),
            Map.entry("`seq`", "s.`seq`"),
            Map.entry("`name`", "s.`name`"));
  }

  @Test
  void isDeleteIsFalseWithoutDeleteWhenAndNullSafeWithIt() {
    assertThat(SilverWriter.isDelete(write(WriteMode.SCD1, ""))).isEqualTo("false");
    assertThat(SilverWriter.isDelete(write(WriteMode.SCD1, "op = 'd'")))
        .isEqualTo("coalesce((op = 'd'), false)");
  }
}

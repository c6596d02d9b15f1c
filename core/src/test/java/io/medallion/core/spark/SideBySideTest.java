package io.medallion.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SideBySideTest {
  /** Counts down and waits for the others: only writes that run at the same time all get past. */
  private static Runnable meeting(CountDownLatch all, AtomicBoolean met) {
    return () -> {
      all.countDown();
      try {
        met.set(all.await(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void theWritesRunAtTheSameTimeAndAllHaveEndedWhenItReturns() {
    CountDownLatch all = new CountDownLatch(3);
    AtomicBoolean first = new AtomicBoolean();
    AtomicBoolean second = new AtomicBoolean();
    AtomicBoolean third = new AtomicBoolean();

    SideBySide.run("test", List.of(meeting(all, first), meeting(all, second), meeting(all, third)));

    assertThat(List.of(first.get(), second.get(), third.get())).containsOnly(true);
  }

  @Test
  void aFailureIsThrownOnceEveryWriteHasEndedWithTheOtherFailuresSuppressed() {
    CountDownLatch failed = new CountDownLatch(1);
    AtomicBoolean lastEnded = new AtomicBoolean();
    Runnable fails =
        () -> {
          failed.countDown();
          throw new IllegalStateException("the reconciliation append failed");
        };
    Runnable alsoFails =
        () -> {
          throw new IllegalArgumentException("the quarantine append failed");
        };
    Runnable endsAfterTheFailure =
        () -> {
          try {
            lastEnded.set(failed.await(30, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };

    assertThatThrownBy(() -> SideBySide.run("test", List.of(fails, endsAfterTheFailure, alsoFails)))
        .satisfies(
            e -> {
              assertThat(List.of(e.getMessage(), e.getSuppressed()[0].getMessage()))
                  .containsExactlyInAnyOrder(
                      "the reconciliation append failed", "the quarantine append failed");
              assertThat(e.getSuppressed()).hasSize(1);
            });
    assertThat(lastEnded).isTrue();
  }

  @Test
  void oneWriteRunsInTheCallersThread() {
    Thread[] ranIn = new Thread[1];

    SideBySide.run("test", List.of(() -> ranIn[0] = Thread.currentThread()));

    assertThat(ranIn[0]).isSameAs(Thread.currentThread());
  }
}

package io.medallion.core.lake;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.DeltaOptions;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.VersionChecksum;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.delta.commands.WriteIntoDelta;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The append {@code DataFrameWriter} makes with the {@code txnAppId} and {@code txnVersion} options
 * (Delta's {@code WriteIntoDelta}, same schema checks, same commit with the same transaction id),
 * except for how it learns whether the id's version is already committed. Delta 4.0 keeps the
 * table's transaction ids in each version's checksum ({@code .crc}) but reads them only from the
 * table's whole reconstructed state: a Spark job over the log before every such write, about a
 * third of a one-row bookkeeping append in a profile (docs/performance.md). Here the checksum
 * answers when it holds the ids, and Delta's own lookup when it does not.
 *
 * <p>The id is registered as read by the transaction either way, so a concurrent commit of the same
 * id still makes this commit fail as a conflict, as in Delta's own lookup.
 */
final class TransactionalAppend {
  private TransactionalAppend() {}

  /**
   * Appends {@code rows} to the Delta table at {@code path} unless (appId, version) is committed.
   *
   * @return false when the table does not exist yet: the caller writes it the usual way, which
   *     creates it
   */
  static boolean run(Dataset<Row> rows, String path, String appId, long version) {
    SparkSession spark = rows.sparkSession();
    DeltaLog log = DeltaLog.forTable(spark, path);
    scala.Function1<OptimisticTransaction, Boolean> append =
        txn -> {
          if (txn.readVersion() < 0) {
            return false;
          }
          if (committedVersion(txn, appId) >= version) {
            return true;
          }
          DeltaOptions options =
              new DeltaOptions(
                  scalaMap(Map.of("txnAppId", appId, "txnVersion", Long.toString(version))),
                  spark.sessionState().conf());
          WriteIntoDelta write =
              new WriteIntoDelta(
                  log,
                  SaveMode.Append,
                  options,
                  emptySeq(),
                  scalaMap(Map.of()),
                  rows,
                  Option.empty(),
                  Option.empty());
          var commit = write.writeAndReturnCommitData(txn, spark, Option.empty(), false);
          txn.commitIfNeeded(
              commit.actions(),
              new DeltaOperations.Write(
                  SaveMode.Append, Option.apply(emptySeq()), Option.empty(), Option.empty()),
              commit.stringTags());
          return true;
        };
    return log.withNewTransaction(Option.empty(), Option.empty(), append);
  }

  /**
   * The highest version of {@code appId} committed to the transaction's snapshot, or -1; from the
   * snapshot's checksum when it lists the transaction ids, else from its reconstructed state.
   */
  static long committedVersion(OptimisticTransaction txn, String appId) {
    Option<VersionChecksum> checksum = txn.snapshot().checksumOpt();
    if (checksum.isEmpty() || checksum.get().setTransactions().isEmpty()) {
      return txn.txnVersion(appId);
    }
    txn.readTxn().$plus$eq(appId);
    long committed = -1;
    for (SetTransaction id : CollectionConverters.asJava(checksum.get().setTransactions().get())) {
      if (id.appId().equals(appId)) {
        committed = Math.max(committed, id.version());
      }
    }
    return committed;
  }

  /** A Java map as the immutable Scala map Delta's and Spark's APIs take. */
  static <V> scala.collection.immutable.Map<String, V> scalaMap(Map<String, V> map) {
    return scala.collection.immutable.Map.from(CollectionConverters.asScala(map));
  }

  private static Seq<String> emptySeq() {
    return CollectionConverters.asScala(java.util.List.<String>of()).toList();
  }
}

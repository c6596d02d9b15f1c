package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a command finds Kafka when neither {@code --bootstrap-servers} nor its variable is set.
 *
 * <p>On a cluster there is no default: the job names its brokers. The local workbench implements
 * this with the broker that {@code lakehouse kafka start} runs, so the cluster jar carries no local
 * broker.
 */
public interface BrokerDefault {
  /** No default: the brokers must be named. */
  BrokerDefault NONE =
      new BrokerDefault() {
        @Override
        public Optional<String> bootstrapServers(Path kafkaDir) {
          return Optional.empty();
        }

        @Override
        public MedallionException notFound(Path kafkaDir) {
          return new MedallionException(
              "No Kafka brokers are named.",
              "Pass --bootstrap-servers HOST:PORT (or set MEDALLION_BOOTSTRAP_SERVERS).");
        }
      };

  /** The bootstrap servers of the default broker, if one is running. */
  Optional<String> bootstrapServers(Path kafkaDir);

  /** The error when no broker was named and no default is running: what happened and the fix. */
  MedallionException notFound(Path kafkaDir);
}

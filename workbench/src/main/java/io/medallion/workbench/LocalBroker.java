package io.medallion.workbench;

import io.medallion.core.error.MedallionException;
import io.medallion.jobs.cli.BrokerDefault;
import io.medallion.localstack.LocalKafka;
import java.nio.file.Path;
import java.util.Optional;

/** The workbench's default Kafka: the local broker that {@code lakehouse kafka start} runs. */
public final class LocalBroker implements BrokerDefault {
  @Override
  public Optional<String> bootstrapServers(Path kafkaDir) {
    return LocalKafka.running(kafkaDir).map(LocalKafka::bootstrapServers);
  }

  @Override
  public MedallionException notFound(Path kafkaDir) {
    return new MedallionException(
        "No Kafka broker is running on " + kafkaDir + ".",
        "Start one with ./lakehouse kafka start, or pass --bootstrap-servers HOST:PORT for another"
            + " cluster.");
  }
}

package io.medallion.jobs.catalog;

import io.medallion.core.error.MedallionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * The Glue Data Catalog, through the AWS SDK: region, credentials and endpoint come from the SDK's
 * default chains (on EMR, the job role; {@code AWS_ENDPOINT_URL_GLUE} points it at an emulator).
 * Terraform owns the databases; the jobs own the tables in them.
 */
final class GlueCatalog implements AutoCloseable {
  /** What {@link #register} did. */
  enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  private final GlueClient glue;

  private GlueCatalog(GlueClient glue) {
    this.glue = glue;
  }

  /** A client on the SDK's default chains; the JDK's HTTP client, which needs nothing else. */
  static GlueCatalog connect() {
    try {
      return new GlueCatalog(
          GlueClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build());
    } catch (SdkException e) {
      throw new MedallionException(
          "Cannot reach the Glue Data Catalog: " + e.getMessage(),
          "Set the AWS region and credentials (AWS_REGION, the job role on EMR), or run with"
              + " --catalog none.");
    }
  }

  /** Fails with the fix unless every database exists and can be read. */
  void requireDatabases(Map<String, String> databaseByLayer) {
    databaseByLayer.forEach(
        (layer, database) -> {
          try {
            glue.getDatabase(b -> b.name(database));
          } catch (EntityNotFoundException e) {
            throw new MedallionException(
                "The Glue database '" + database + "' of the layer " + layer + " does not exist.",
                "Create it (Terraform's catalog module does), or name the layer's database with"
                    + " --glue-database "
                    + layer
                    + "=NAME.");
          } catch (SdkException e) {
            throw new MedallionException(
                "Cannot read the Glue database '" + database + "': " + e.getMessage(),
                "Check the AWS credentials and that the role may call glue:GetDatabase on it.");
          }
        });
  }

  /** Creates the table's entry, or updates it where it differs from {@code table}. */
  Outcome register(GlueTable table) {
    Table existing = find(table.database(), table.name());
    if (existing == null) {
      glue.createTable(b -> b.databaseName(table.database()).tableInput(input(table, Map.of())));
      return Outcome.CREATED;
    }
    if (matches(existing, table)) {
      return Outcome.UNCHANGED;
    }
    glue.updateTable(
        b -> b.databaseName(table.database()).tableInput(input(table, existing.parameters())));
    return Outcome.UPDATED;
  }

  /** The table's entry, or null. */
  private Table find(String database, String name) {
    try {
      return glue.getTable(b -> b.databaseName(database).name(name)).table();
    } catch (EntityNotFoundException e) {
      return null;
    }
  }

  /** Whether Glue already says what {@code table} says. */
  static boolean matches(Table existing, GlueTable table) {
    StorageDescriptor sd = existing.storageDescriptor();
    return GlueTable.TABLE_TYPE.equals(existing.tableType())
        && existing.parameters().entrySet().containsAll(GlueTable.PARAMETERS.entrySet())
        && sd != null
        && table.location().equals(sd.location())
        && table.columns().equals(described(sd.columns()))
        && table.partitionKeys().equals(described(existing.partitionKeys()));
  }

  /**
   * The entry to write; parameters others added (Athena's, a crawler's) are kept, under the
   * platform's own.
   */
  private static TableInput input(GlueTable table, Map<String, String> existingParameters) {
    Map<String, String> parameters = new HashMap<>(existingParameters);
    parameters.putAll(GlueTable.PARAMETERS);
    return TableInput.builder()
        .name(table.name())
        .tableType(GlueTable.TABLE_TYPE)
        .parameters(parameters)
        .storageDescriptor(
            StorageDescriptor.builder()
                .location(table.location())
                .columns(columns(table.columns()))
                .build())
        .partitionKeys(columns(table.partitionKeys()))
        .build();
  }

  private static List<GlueTable.Column> described(List<Column> columns) {
    return columns.stream()
        .map(c -> new GlueTable.Column(c.name(), c.type(), c.comment()))
        .toList();
  }

  private static List<Column> columns(List<GlueTable.Column> columns) {
    return columns.stream()
        .map(c -> Column.builder().name(c.name()).type(c.type()).comment(c.comment()).build())
        .toList();
  }

  @Override
  public void close() {
    glue.close();
  }
}

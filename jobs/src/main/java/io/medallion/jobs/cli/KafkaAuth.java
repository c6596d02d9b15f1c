package io.medallion.jobs.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the Kafka clients authenticate ({@code --kafka-auth}): the client settings a method needs, so
 * that a deployment names the method instead of repeating its settings.
 */
public enum KafkaAuth {
  /** No settings: plaintext, or whatever {@code --kafka-conf} says. */
  NONE("none", Map.of()),

  /**
   * Amazon MSK's IAM authentication, with the credentials of the role the job runs as (the default
   * AWS credentials chain): nothing secret is configured. Its library, aws-msk-iam-auth, is in the
   * cluster jar.
   */
  AWS_MSK_IAM(
      "aws-msk-iam",
      Map.of(
          "security.protocol", "SASL_SSL",
          "sasl.mechanism", "AWS_MSK_IAM",
          "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;",
          "sasl.client.callback.handler.class",
              "software.amazon.msk.auth.iam.IAMClientCallbackHandler"));

  private final String name;
  private final Map<String, String> settings;

  KafkaAuth(String name, Map<String, String> settings) {
    this.name = name;
    this.settings = settings;
  }

  /** The method's name on the command line. */
  public String cliName() {
    return name;
  }

  /** The Kafka client settings of this method. */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * The client settings of this method with {@code explicit} on top: a {@code --kafka-conf} setting
   * wins over the method's.
   */
  public Map<String, String> with(Map<String, String> explicit) {
    requireLibrary();
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.putAll(explicit);
    return all;
  }

  /**
   * Fails with the fix when the method's library is not on the classpath, before a Kafka client
   * fails on it with a message about a class.
   */
  private void requireLibrary() {
    String handler = settings.get("sasl.client.callback.handler.class");
    if (handler == null) {
      return;
    }
    try {
      Class.forName(handler, false, KafkaAuth.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new OptionException(
          "--kafka-auth " + name + " needs " + handler + ", which is not on the classpath.",
          "Run the cluster jar (medallion-jobs-<version>-spark.jar, which holds aws-msk-iam-auth),"
              + " or add software.amazon.msk:aws-msk-iam-auth to the classpath.");
    }
  }

  /** Parses {@code --kafka-auth}; an unknown name is a usage error that lists the known ones. */
  public static KafkaAuth parse(String text) {
    String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (wanted.isEmpty()) {
      return NONE;
    }
    return Arrays.stream(values())
        .filter(a -> a.name.equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new OptionException(
                    "--kafka-auth '" + text + "' is not an authentication method.",
                    "Use one of: "
                        + Arrays.stream(values())
                            .map(KafkaAuth::cliName)
                            .collect(Collectors.joining(", "))
                        + " (aws-msk-iam for Amazon MSK with IAM access control)."));
  }
}

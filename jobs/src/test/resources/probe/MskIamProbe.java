import io.medallion.jobs.cli.KafkaAuth;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import org.apache.kafka.clients.admin.Admin;
import software.amazon.msk.auth.iam.IAMClientCallbackHandler;

/**
 * Run by ClusterJarIT on the classpath a cluster gives the jar (java -cp ... MskIamProbe.java):
 * builds a Kafka client with the settings of --kafka-auth aws-msk-iam, then signs the first SASL
 * message of MSK's IAM authentication as a broker would receive it, and prints it.
 */
public class MskIamProbe {
  public static void main(String[] args) throws Exception {
    Map<String, Object> settings = new HashMap<>(KafkaAuth.parse("aws-msk-iam").with(Map.of()));
    settings.put("bootstrap.servers", args[0]);
    // Building the client loads the login module and the callback handler the settings name.
    try (Admin admin = Admin.create(settings)) {
      System.out.println("client built");
    }
    IAMClientCallbackHandler handler = new IAMClientCallbackHandler();
    handler.configure(
        Map.of(),
        "AWS_MSK_IAM",
        List.of(
            new AppConfigurationEntry(
                "software.amazon.msk.auth.iam.IAMLoginModule",
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                Map.of())));
    SaslClient client =
        Sasl.createSaslClient(
            new String[] {"AWS_MSK_IAM"}, null, "kafka", args[1], Map.of(), handler);
    byte[] first = client.evaluateChallenge(new byte[0]);
    System.out.println("signed " + new String(first, StandardCharsets.UTF_8));
  }
}

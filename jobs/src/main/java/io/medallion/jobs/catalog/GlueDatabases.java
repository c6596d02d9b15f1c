package io.medallion.jobs.catalog;

import io.medallion.core.lake.Layer;
import io.medallion.jobs.cli.OptionException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Glue database of each layer: the layer's name ({@code bronze}, {@code silver}, {@code gold})
 * and {@code medallion_system} for {@code _system} (Athena does not take a leading underscore),
 * which are also the defaults of Terraform's {@code glue_database_names}; a deployment passes its
 * own names with {@code --glue-database LAYER=NAME}.
 */
public final class GlueDatabases {
  /** The database of the layer {@code _system} when none is named. */
  public static final String DEFAULT_SYSTEM = "medallion_system";

  /** What Glue and Athena take as a database name. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,255}");

  private GlueDatabases() {}

  /** The default database of {@code layer}. */
  public static String defaultName(Layer layer) {
    return layer == Layer.SYSTEM ? DEFAULT_SYSTEM : layer.folder();
  }

  /**
   * The database of every layer: the defaults, with {@code named} (layer folder to database, as
   * {@code --glue-database} gives them) on top.
   *
   * @throws OptionException for a layer the lake does not have, or a name Glue does not take
   */
  public static Map<Layer, String> resolve(Map<String, String> named) {
    Map<Layer, String> databases = new EnumMap<>(Layer.class);
    for (Layer layer : Layer.values()) {
      databases.put(layer, defaultName(layer));
    }
    named.forEach(
        (folder, database) -> {
          Layer layer =
              Arrays.stream(Layer.values())
                  .filter(l -> l.folder().equals(folder.strip()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new OptionException(
                              "--glue-database " + folder + "=" + database + " names no layer.",
                              "Name one of the layers: "
                                  + Arrays.stream(Layer.values())
                                      .map(Layer::folder)
                                      .collect(Collectors.joining(", "))
                                  + ", such as --glue-database gold=dev_gold."));
          String name = database.strip();
          if (!NAME.matcher(name).matches()) {
            throw new OptionException(
                "--glue-database " + folder + "='" + database + "' is not a Glue database name.",
                "Use lower-case letters, digits and underscores, such as dev_"
                    + layer.folder().replace("_", "")
                    + ".");
          }
          databases.put(layer, name);
        });
    return databases;
  }
}

package io.medallion.jobs.cli;

import io.medallion.core.spec.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The tables a {@code --tables} option selects from one layer of the spec. */
final class Tables {
  private Tables() {}

  /**
   * @param names what the user passed, with or without the layer prefix; empty selects all
   * @param all the layer's tables in spec order
   * @param name a table's name
   * @param layer {@code bronze}, {@code silver} or {@code gold}
   */
  static <T> List<T> select(
      List<String> names, List<T> all, Function<T, String> name, String layer, Pipeline pipeline) {
    if (names.isEmpty()) {
      return all;
    }
    List<T> selected = new ArrayList<>();
    for (String given : names) {
      String bare = given.startsWith(layer + ".") ? given.substring(layer.length() + 1) : given;
      selected.add(
          all.stream()
              .filter(t -> name.apply(t).equals(bare))
              .findFirst()
              .orElseThrow(
                  () ->
                      new OptionException(
                          "'"
                              + given
                              + "' is not a "
                              + layer
                              + " table of "
                              + pipeline.file()
                              + ".",
                          "Use one of: "
                              + String.join(", ", all.stream().map(name).toList())
                              + ".")));
    }
    return selected;
  }
}

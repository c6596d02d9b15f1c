package io.medallion.core.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every key in a YAML document, by dotted path ({@code bronze.tables.plays.source}), so
 * that errors found after mapping can still point at the line to fix.
 */
final class YamlLocations implements SpecLocations {
  private final String file;
  private final Map<String, Integer> lines = new HashMap<>();

  private YamlLocations(String file) {
    this.file = file;
  }

  /** Indexes a document; a document that does not parse yields an empty index. */
  static YamlLocations index(YAMLFactory factory, String file, String yaml) {
    YamlLocations locations = new YamlLocations(file);
    try (JsonParser parser = factory.createParser(yaml)) {
      if (parser.nextToken() != null) {
        locations.walk(parser, "");
      }
    } catch (IOException e) {
      // The mapper reports syntax errors with their own location.
    }
    return locations;
  }

  @Override
  public String file(String path) {
    return file;
  }

  @Override
  public int lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      p = SpecLocations.parentOf(p);
    }
    return 0;
  }

  private void walk(JsonParser parser, String path) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_OBJECT) {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = path.isEmpty() ? parser.currentName() : path + "." + parser.currentName();
        lines.put(key, parser.currentTokenLocation().getLineNr());
        parser.nextToken();
        walk(parser, key);
      }
    } else if (token == JsonToken.START_ARRAY) {
      int index = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        String key = path + "[" + index++ + "]";
        lines.put(key, parser.currentTokenLocation().getLineNr());
        walk(parser, key);
      }
    }
  }
}

package ndjsonparquet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * One NDJSON line (its UTF-8 bytes) to the string values of the given fields, in one byte-level parse.
 *
 * <p>Why this exists instead of Spark's {@code from_json}: from_json reads every fractional number through a
 * double ({@code 2.50} becomes {@code 2.5}, {@code 1e400} becomes {@code Infinity}), ignores text after the
 * first JSON value, and decodes each line through a new character reader. Here numbers keep the text they
 * were written with, a line must hold exactly one JSON object, and the parse works on the bytes.
 *
 * <p>The result is a row {@code (status, reason, unseen_fields, value_0 ... value_n)}: status is {@link
 * #RECORD}, {@link #BLANK} or {@link #REJECT}; reason says why a line was rejected; unseen_fields names the
 * keys outside the field list (null when there are none). A top-level string is its text, null is null, any
 * other value its compact JSON text with numbers as written. When a key repeats, the last value wins.
 */
public final class LineParser implements UDF1<byte[], Row> {
  private static final long serialVersionUID = 1L;

  public static final int RECORD = 0;
  public static final int BLANK = 1;
  public static final int REJECT = 2;

  public static final String NOT_AN_OBJECT = "not a JSON object";
  public static final String TEXT_AFTER_OBJECT = "text after the JSON object";
  public static final String MALFORMED = "malformed JSON: ";

  // Positions in the result row; the field values follow.
  private static final int STATUS_COLUMN = 0;
  private static final int REASON_COLUMN = 1;
  private static final int UNSEEN_FIELDS_COLUMN = 2;
  private static final int LEADING_COLUMNS = 3;

  private final String[] fields;
  // Built again after deserialisation on each executor, not shipped with the task.
  private transient HashMap<String, Integer> positions;
  private transient JsonFactory factory;
  private transient StringWriter nestedText;
  private transient JsonGenerator nestedGenerator;

  public LineParser(List<String> fields) {
    this.fields = fields.toArray(new String[0]);
  }

  /**
   * This parser as a Spark UDF of a line's bytes, returning {@code returnType}. Made here because from Python,
   * py4j would pick the untyped Scala overload of {@code functions.udf}, which Spark refuses.
   */
  public UserDefinedFunction udf(DataType returnType) {
    return functions.udf(this, returnType);
  }

  @Override
  public Row call(byte[] line) throws IOException {
    if (line == null) {
      return null;
    }
    Object[] columns = new Object[LEADING_COLUMNS + fields.length];
    boolean complete = false;
    try (JsonParser parser = factory().createParser(line)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return status(columns, BLANK, null);
      }
      if (token != JsonToken.START_OBJECT) {
        return status(columns, REJECT, NOT_AN_OBJECT);
      }
      List<String> unseen = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        String value = valueText(parser, parser.nextToken());
        Integer position = positions.get(name);
        if (position != null) {
          columns[LEADING_COLUMNS + position] = value;
        } else {
          if (unseen == null) {
            unseen = new ArrayList<>(2);
          }
          if (!unseen.contains(name)) {
            unseen.add(name);
          }
        }
      }
      complete = true;
      if (parser.nextToken() != null) {
        return status(columns, REJECT, TEXT_AFTER_OBJECT);
      }
      columns[UNSEEN_FIELDS_COLUMN] = unseen;
      return status(columns, RECORD, null);
    } catch (JsonProcessingException error) {
      // Once the object is complete, whatever fails to parse is text after it.
      return status(columns, REJECT, complete ? TEXT_AFTER_OBJECT : MALFORMED + error.getOriginalMessage());
    }
  }

  private static Row status(Object[] columns, int status, String reason) {
    columns[STATUS_COLUMN] = status;
    columns[REASON_COLUMN] = reason;
    if (status != RECORD) {
      Arrays.fill(columns, UNSEEN_FIELDS_COLUMN, columns.length, null);
    }
    return RowFactory.create(columns);
  }

  private String valueText(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_NULL:
        return null;
      case START_OBJECT:
      case START_ARRAY:
        return nestedText(parser);
      default:
        // Strings are their text; numbers the text they were written with; true and false their word.
        return parser.getText();
    }
  }

  /** The compact JSON text of the object or array the parser is at, numbers as written. */
  private String nestedText(JsonParser parser) throws IOException {
    // One generator serves every nested value of the partition: a new one per value cost more than the copy.
    if (nestedGenerator == null) {
      nestedText = new StringWriter();
      nestedGenerator = factory.createGenerator(nestedText);
      nestedGenerator.setRootValueSeparator(null);
    }
    nestedText.getBuffer().setLength(0);
    try {
      int depth = 0;
      JsonToken token = parser.currentToken();
      do {
        if (token.isNumeric()) {
          nestedGenerator.writeNumber(parser.getText());
        } else {
          nestedGenerator.copyCurrentEvent(parser);
        }
        if (token.isStructStart()) {
          depth++;
        } else if (token.isStructEnd()) {
          depth--;
        }
      } while (depth > 0 && (token = parser.nextToken()) != null);
      nestedGenerator.flush();
    } catch (IOException error) {
      // A value broken off midway leaves the generator inside it: the next value needs a fresh one.
      nestedGenerator = null;
      throw error;
    }
    return nestedText.toString();
  }

  private JsonFactory factory() {
    if (factory == null) {
      // The JSON extensions Spark's own JSON reader accepts by default, so that switching parsers rejects
      // nothing that was accepted before. Jackson's limits on string and number length guard conversions
      // this parser never makes (numbers stay text) and would reject valid data, such as a 25 MB string;
      // its nesting limit (1,000 levels) stays.
      factory =
          JsonFactory.builder()
              .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
              .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxStringLength(Integer.MAX_VALUE)
                      .maxNumberLength(Integer.MAX_VALUE)
                      .build())
              .build();
      positions = new HashMap<>(fields.length * 2);
      for (int i = 0; i < fields.length; i++) {
        positions.put(fields[i], i);
      }
    }
    return factory;
  }
}

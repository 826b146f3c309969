package ndjsonparquet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

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
 *
 * <p>Values are handed to Spark as UTF-8 bytes, most of them without decoding: a double-quoted string with no
 * escape whose bytes are well-formed UTF-8 is exactly the UTF-8 of its text, and a number is its bytes, so
 * such a value is a slice of the line. A nested value made only of such tokens is its bytes without the
 * whitespace between tokens. Anything else (escapes, single quotes, bytes that are not well-formed UTF-8,
 * which Jackson may still decode) is taken from Jackson's text and generator, which gives the same bytes for
 * the plain cases: the slices are a shortcut, never a different answer. Decoding every value into a Java
 * string and encoding it again for Spark took a third of the job's CPU time.
 */
public final class LineParser implements Serializable {
  private static final long serialVersionUID = 2L;

  public static final int RECORD = 0;
  public static final int BLANK = 1;
  public static final int REJECT = 2;

  public static final String NOT_AN_OBJECT = "not a JSON object";
  public static final String TEXT_AFTER_OBJECT = "text after the JSON object";
  public static final String MALFORMED = "malformed JSON: ";

  // Positions in the result row; the field values follow.
  static final int STATUS_COLUMN = 0;
  static final int REASON_COLUMN = 1;
  static final int UNSEEN_FIELDS_COLUMN = 2;
  static final int LEADING_COLUMNS = 3;

  private static final UTF8String TRUE = UTF8String.fromString("true");
  private static final UTF8String FALSE = UTF8String.fromString("false");
  private static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE_BYTES = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE_BYTES = {'f', 'a', 'l', 's', 'e'};

  private final String[] fields;
  // Built again after deserialisation on each executor, not shipped with the task.
  private transient HashMap<String, Integer> positions;
  // The previous record's keys in order and their positions: records of a file mostly share their key order,
  // and Jackson hands out one String instance per name, so an identity check usually replaces the lookup.
  private transient String[] lastKeys;
  private transient int[] lastPositions;
  private transient JsonFactory factory;
  private transient StringWriter nestedText;
  private transient JsonGenerator nestedGenerator;
  private transient byte[] compact;
  // The line being parsed: its bytes are line[lineStart, lineEnd); Jackson's byte offsets count from lineStart.
  private transient byte[] line;
  private transient int lineStart;
  private transient int lineEnd;

  public LineParser(List<String> fields) {
    this.fields = fields.toArray(new String[0]);
  }

  public int fieldCount() {
    return fields.length;
  }

  public boolean sameFields(LineParser other) {
    return Arrays.equals(fields, other.fields);
  }

  /**
   * The parse of one line's bytes. The values may point into the line's bytes, as Spark's own string
   * functions do: the caller copies them before the next line (any projection does).
   */
  public InternalRow parse(UTF8String text) throws IOException {
    Object base = text.getBaseObject();
    if (base instanceof byte[]) {
      line = (byte[]) base;
      lineStart = (int) (text.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET);
    } else {
      line = text.getBytes();
      lineStart = 0;
    }
    lineEnd = lineStart + text.numBytes();
    try {
      return parseLine();
    } finally {
      line = null;
    }
  }

  private InternalRow parseLine() throws IOException {
    Object[] columns = new Object[LEADING_COLUMNS + fields.length];
    boolean complete = false;
    try (JsonParser parser = factory().createParser(line, lineStart, lineEnd - lineStart)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return status(columns, BLANK, null);
      }
      if (token != JsonToken.START_OBJECT) {
        return status(columns, REJECT, NOT_AN_OBJECT);
      }
      List<UTF8String> unseen = null;
      int index = 0;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        UTF8String value = value(parser, parser.nextToken());
        int position = position(name, index++);
        if (position >= 0) {
          columns[LEADING_COLUMNS + position] = value;
        } else {
          UTF8String key = UTF8String.fromString(name);
          if (unseen == null) {
            unseen = new ArrayList<>(2);
          }
          if (!unseen.contains(key)) {
            unseen.add(key);
          }
        }
      }
      complete = true;
      if (parser.nextToken() != null) {
        return status(columns, REJECT, TEXT_AFTER_OBJECT);
      }
      columns[UNSEEN_FIELDS_COLUMN] = unseen == null ? null : new GenericArrayData(unseen.toArray());
      return status(columns, RECORD, null);
    } catch (JsonProcessingException error) {
      // Once the object is complete, whatever fails to parse is text after it.
      return status(columns, REJECT, complete ? TEXT_AFTER_OBJECT : MALFORMED + error.getOriginalMessage());
    }
  }

  private static InternalRow status(Object[] columns, int status, String reason) {
    columns[STATUS_COLUMN] = status;
    columns[REASON_COLUMN] = reason == null ? null : UTF8String.fromString(reason);
    if (status != RECORD) {
      Arrays.fill(columns, UNSEEN_FIELDS_COLUMN, columns.length, null);
    }
    return new GenericInternalRow(columns);
  }

  /** The field position of the record's index-th key, or -1 for a key outside the fields. */
  private int position(String name, int index) {
    if (index < lastKeys.length) {
      if (lastKeys[index] == name) {
        return lastPositions[index];
      }
      Integer position = positions.get(name);
      lastKeys[index] = name;
      lastPositions[index] = position == null ? -1 : position;
      return lastPositions[index];
    }
    Integer position = positions.get(name);
    return position == null ? -1 : position;
  }

  private UTF8String value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return TRUE;
      case VALUE_FALSE:
        return FALSE;
      case VALUE_STRING:
        {
          int start = tokenStart(parser);
          int end = plainStringEnd(start);
          if (end > 0) {
            // Left incomplete, Jackson skips the string instead of decoding it.
            return UTF8String.fromBytes(line, start + 1, end - start - 2);
          }
          return UTF8String.fromString(parser.getText());
        }
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        {
          int start = tokenStart(parser);
          int end = tokenEnd(parser);
          if (isTokenText(parser, start, end)) {
            return UTF8String.fromBytes(line, start, end - start);
          }
          return UTF8String.fromString(parser.getText());
        }
      case START_OBJECT:
      case START_ARRAY:
        return nested(parser);
      default:
        return UTF8String.fromString(parser.getText());
    }
  }

  private int tokenStart(JsonParser parser) {
    return lineStart + (int) parser.currentTokenLocation().getByteOffset();
  }

  private int tokenEnd(JsonParser parser) {
    return lineStart + (int) parser.currentLocation().getByteOffset();
  }

  /**
   * The index after the closing quote of the double-quoted string starting at {@code start} when its bytes
   * between the quotes are its text (no escape, no control character, well-formed UTF-8); else -1.
   */
  private int plainStringEnd(int start) {
    byte[] bytes = line;
    if (start < lineStart || start >= lineEnd || bytes[start] != '"') {
      return -1;
    }
    int index = start + 1;
    while (index < lineEnd) {
      int b = bytes[index];
      if (b >= 0) {
        if (b == '"') {
          return index + 1;
        }
        if (b == '\\' || b < 0x20) {
          return -1;
        }
        index++;
      } else {
        int length = wellFormedLength(bytes, index, lineEnd);
        if (length == 0) {
          return -1;
        }
        index += length;
      }
    }
    return -1;
  }

  /**
   * The length of the well-formed UTF-8 sequence of a non-ASCII character at {@code index} (Unicode's table
   * 3-7: no overlong form, no surrogate, nothing above U+10FFFF), or 0. Jackson decodes some ill-formed
   * sequences rather than rejecting them; their text then differs from their bytes.
   */
  static int wellFormedLength(byte[] bytes, int index, int end) {
    int lead = bytes[index] & 0xFF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      return index + 1 < end && isContinuation(bytes[index + 1]) ? 2 : 0;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
      if (index + 2 >= end) {
        return 0;
      }
      int second = bytes[index + 1] & 0xFF;
      int low = lead == 0xE0 ? 0xA0 : 0x80;
      int high = lead == 0xED ? 0x9F : 0xBF;
      return second >= low && second <= high && isContinuation(bytes[index + 2]) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
      if (index + 3 >= end) {
        return 0;
      }
      int second = bytes[index + 1] & 0xFF;
      int low = lead == 0xF0 ? 0x90 : 0x80;
      int high = lead == 0xF4 ? 0x8F : 0xBF;
      return second >= low
              && second <= high
              && isContinuation(bytes[index + 2])
              && isContinuation(bytes[index + 3])
          ? 4
          : 0;
    }
    return 0;
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** Whether line[start, end) is the current token's text (a number's: always, unless Jackson changed it). */
  private boolean isTokenText(JsonParser parser, int start, int end) throws IOException {
    int length = parser.getTextLength();
    if (start < lineStart || end > lineEnd || end - start != length) {
      return false;
    }
    char[] text = parser.getTextCharacters();
    int offset = parser.getTextOffset();
    for (int index = 0; index < length; index++) {
      if ((line[start + index] & 0xFF) != text[offset + index]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The compact JSON text of the object or array the parser is at, numbers as written: its tokens' bytes when
   * each is plain, else (escapes, single quotes, bytes Jackson decodes loosely) the generator's rendering.
   */
  private UTF8String nested(JsonParser parser) throws IOException {
    int start = tokenStart(parser);
    int length = 0;
    int depth = 0;
    boolean comma = false;
    JsonToken token = parser.currentToken();
    do {
      int from = -1;
      int to = -1;
      byte[] literal = null;
      switch (token) {
        case START_OBJECT:
        case START_ARRAY:
        case END_OBJECT:
        case END_ARRAY:
          break;
        case FIELD_NAME:
        case VALUE_STRING:
          from = tokenStart(parser);
          to = plainStringEnd(from);
          break;
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          from = tokenStart(parser);
          to = tokenEnd(parser);
          if (!isTokenText(parser, from, to)) {
            to = -1;
          }
          break;
        case VALUE_NULL:
          literal = NULL_BYTES;
          break;
        case VALUE_TRUE:
          literal = TRUE_BYTES;
          break;
        case VALUE_FALSE:
          literal = FALSE_BYTES;
          break;
        default:
          break;
      }
      boolean structural = token.isStructStart() || token.isStructEnd();
      if (!structural && literal == null && to < 0) {
        return generated(parser, start, depth);
      }
      int needed = 2 + (literal != null ? literal.length : structural ? 1 : to - from);
      if (compact == null || compact.length < length + needed) {
        compact = Arrays.copyOf(compact == null ? new byte[256] : compact, Math.max(2 * (length + needed), 256));
      }
      if (comma && !token.isStructEnd()) {
        compact[length++] = ',';
      }
      if (structural) {
        compact[length++] = bracket(token);
        depth += token.isStructStart() ? 1 : -1;
        comma = token.isStructEnd();
      } else if (literal != null) {
        System.arraycopy(literal, 0, compact, length, literal.length);
        length += literal.length;
        comma = true;
      } else {
        System.arraycopy(line, from, compact, length, to - from);
        length += to - from;
        if (token == JsonToken.FIELD_NAME) {
          compact[length++] = ':';
          comma = false;
        } else {
          comma = true;
        }
      }
    } while (depth > 0 && (token = parser.nextToken()) != null);
    return UTF8String.fromBytes(Arrays.copyOf(compact, length));
  }

  private static byte bracket(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return '{';
      case END_OBJECT:
        return '}';
      case START_ARRAY:
        return '[';
      default:
        return ']';
    }
  }

  /**
   * The generator's rendering of the nested value starting at {@code start}, once the tokens read so far
   * (down to {@code depth}) were not all plain: the rest of the value is read as the generator's copy would
   * read it (strings decoded, so a bad byte fails with the same message), then the value is parsed again on
   * its own and rendered.
   */
  private UTF8String generated(JsonParser parser, int start, int depth) throws IOException {
    JsonToken token = parser.currentToken();
    while (true) {
      if (token == JsonToken.VALUE_STRING) {
        parser.finishToken();
      } else if (token.isStructStart()) {
        depth++;
      } else if (token.isStructEnd()) {
        depth--;
      }
      if (depth <= 0) {
        break;
      }
      token = parser.nextToken();
      if (token == null) {
        break;
      }
    }
    int end = tokenEnd(parser);
    try (JsonParser value = factory.createParser(line, start, end - start)) {
      value.nextToken();
      return UTF8String.fromString(nestedText(value));
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
      lastKeys = new String[fields.length];
      lastPositions = new int[fields.length];
    }
    return factory;
  }
}

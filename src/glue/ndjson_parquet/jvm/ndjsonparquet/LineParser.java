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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;
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
  // The same for plain lines, by the keys' bytes.
  private transient byte[][] lastKeyBytes;
  private transient int[] lastKeyPositions;
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
      factory();
      InternalRow plain = plainLine();
      return plain != null ? plain : parseLine();
    } finally {
      line = null;
    }
  }

  // A plain line's values nest at most this deep: deeper ones are left to Jackson and its nesting limit.
  private static final int MAX_PLAIN_DEPTH = 64;
  // Marks a token the plain reading does not take (a distinct instance, compared by reference).
  private static final UTF8String NOT_PLAIN = UTF8String.fromBytes(new byte[0]);
  // Marks a JSON null read by the plain reading.
  private static final UTF8String PLAIN_NULL = UTF8String.fromBytes(new byte[0]);

  /**
   * The parse of a plain line, in one pass over its bytes: one object of plain tokens (double-quoted strings
   * and names without escapes in well-formed UTF-8, numbers in JSON's grammar, true, false, null, nested
   * objects and arrays of such tokens less than {@link #MAX_PLAIN_DEPTH} deep) separated by JSON's
   * whitespace; or null for any other line, which Jackson then parses from the start (blank lines, rejects,
   * escapes, single quotes, NaN, a byte order mark, deep nesting). Jackson accepts every plain line and
   * gives it the same values: a plain token's text is its bytes, as said above, so this is a shortcut and
   * never a different answer. Jackson's tokenizer was half of the parse's time.
   */
  private InternalRow plainLine() {
    int at = skipWhitespace(lineStart);
    if (at >= lineEnd || line[at] != '{') {
      return null;
    }
    Object[] columns = new Object[LEADING_COLUMNS + fields.length];
    List<UTF8String> unseen = null;
    at = skipWhitespace(at + 1);
    if (at < lineEnd && line[at] == '}') {
      at++;
    } else {
      int index = 0;
      while (true) {
        int nameEnd = plainStringEnd(at);
        if (nameEnd < 0) {
          return null;
        }
        int nameStart = at + 1;
        int nameLength = nameEnd - 1 - nameStart;
        at = skipWhitespace(nameEnd);
        if (at >= lineEnd || line[at] != ':') {
          return null;
        }
        UTF8String value = plainValue(skipWhitespace(at + 1));
        if (value == NOT_PLAIN) {
          return null;
        }
        int position = plainPosition(nameStart, nameLength, index++);
        if (position >= 0) {
          columns[LEADING_COLUMNS + position] = value == PLAIN_NULL ? null : value;
        } else {
          UTF8String key = UTF8String.fromBytes(line, nameStart, nameLength);
          if (unseen == null) {
            unseen = new ArrayList<>(2);
          }
          if (!unseen.contains(key)) {
            unseen.add(key);
          }
        }
        at = skipWhitespace(plainEnd);
        if (at >= lineEnd) {
          return null;
        }
        if (line[at] == ',') {
          at = skipWhitespace(at + 1);
        } else if (line[at] == '}') {
          at++;
          break;
        } else {
          return null;
        }
      }
    }
    if (skipWhitespace(at) != lineEnd) {
      return null;
    }
    columns[UNSEEN_FIELDS_COLUMN] = unseen == null ? null : new GenericArrayData(unseen.toArray());
    return status(columns, RECORD, null);
  }

  // Where the last plain value read ended.
  private transient int plainEnd;

  private int skipWhitespace(int at) {
    while (at < lineEnd) {
      byte b = line[at];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        break;
      }
      at++;
    }
    return at;
  }

  /** The plain value at {@code at} (its end in plainEnd), PLAIN_NULL for null, or NOT_PLAIN. */
  private UTF8String plainValue(int at) {
    if (at >= lineEnd) {
      return NOT_PLAIN;
    }
    switch (line[at]) {
      case '"':
        {
          int end = plainStringEnd(at);
          if (end < 0) {
            return NOT_PLAIN;
          }
          plainEnd = end;
          return UTF8String.fromBytes(line, at + 1, end - at - 2);
        }
      case '{':
      case '[':
        return plainNested(at);
      case 't':
        return literalEnd(at, TRUE_BYTES) ? TRUE : NOT_PLAIN;
      case 'f':
        return literalEnd(at, FALSE_BYTES) ? FALSE : NOT_PLAIN;
      case 'n':
        return literalEnd(at, NULL_BYTES) ? PLAIN_NULL : NOT_PLAIN;
      default:
        {
          int end = numberEnd(at);
          if (end < 0) {
            return NOT_PLAIN;
          }
          plainEnd = end;
          return UTF8String.fromBytes(line, at, end - at);
        }
    }
  }

  /** Whether {@code literal} is at {@code at} (its end then in plainEnd). */
  private boolean literalEnd(int at, byte[] literal) {
    if (at + literal.length > lineEnd) {
      return false;
    }
    for (int index = 0; index < literal.length; index++) {
      if (line[at + index] != literal[index]) {
        return false;
      }
    }
    plainEnd = at + literal.length;
    return true;
  }

  /**
   * The end of the number at {@code at} in JSON's grammar ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}),
   * or -1. What follows it is the caller's to check: a digit after a leading zero, a second point or a
   * letter is then not a separator, and the line is left to Jackson.
   */
  private int numberEnd(int at) {
    int index = at;
    if (index < lineEnd && line[index] == '-') {
      index++;
    }
    if (index >= lineEnd) {
      return -1;
    }
    if (line[index] == '0') {
      index++;
    } else if (isDigit(line[index])) {
      index = digitsEnd(index);
    } else {
      return -1;
    }
    if (index < lineEnd && line[index] == '.') {
      if (index + 1 >= lineEnd || !isDigit(line[index + 1])) {
        return -1;
      }
      index = digitsEnd(index + 1);
    }
    if (index < lineEnd && (line[index] == 'e' || line[index] == 'E')) {
      index++;
      if (index < lineEnd && (line[index] == '+' || line[index] == '-')) {
        index++;
      }
      if (index >= lineEnd || !isDigit(line[index])) {
        return -1;
      }
      index = digitsEnd(index);
    }
    return index;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private int digitsEnd(int at) {
    while (at < lineEnd && isDigit(line[at])) {
      at++;
    }
    return at;
  }

  /**
   * The compact JSON text of the plain object or array at {@code at} (its end then in plainEnd): its tokens'
   * bytes without the whitespace between them, which is what Jackson's generator writes for them; or
   * NOT_PLAIN.
   */
  private UTF8String plainNested(int at) {
    if (objects == null) {
      objects = new boolean[MAX_PLAIN_DEPTH];
    }
    int depth = 0;
    int length = 0;
    // Each turn reads one value at `at` (after a name within an object), then what follows it.
    while (true) {
      if (at >= lineEnd) {
        return NOT_PLAIN;
      }
      byte b = line[at];
      if (b == '{' || b == '[') {
        if (depth == MAX_PLAIN_DEPTH) {
          return NOT_PLAIN;
        }
        objects[depth++] = b == '{';
        length = put(length, b);
        at = skipWhitespace(at + 1);
        byte close = b == '{' ? (byte) '}' : (byte) ']';
        if (at < lineEnd && line[at] == close) {
          length = put(length, close);
          depth--;
          at++;
        } else if (b == '{') {
          at = plainName(at, length);
          if (at < 0) {
            return NOT_PLAIN;
          }
          length = plainLength;
          continue;
        } else {
          continue;
        }
      } else {
        if (plainValue(at) == NOT_PLAIN) {
          return NOT_PLAIN;
        }
        length = put(length, line, at, plainEnd - at);
        at = plainEnd;
      }
      // After a value: the separator or the closing brackets, until the outer value ends.
      while (true) {
        if (depth == 0) {
          plainEnd = at;
          return UTF8String.fromBytes(Arrays.copyOf(compact, length));
        }
        at = skipWhitespace(at);
        if (at >= lineEnd) {
          return NOT_PLAIN;
        }
        byte next = line[at];
        boolean object = objects[depth - 1];
        if (next == (object ? '}' : ']')) {
          length = put(length, next);
          depth--;
          at++;
        } else if (next == ',') {
          length = put(length, next);
          at = skipWhitespace(at + 1);
          if (object) {
            at = plainName(at, length);
            if (at < 0) {
              return NOT_PLAIN;
            }
            length = plainLength;
          }
          break;
        } else {
          return NOT_PLAIN;
        }
      }
    }
  }

  // Whether each open level of a plain nested value is an object (else an array).
  private transient boolean[] objects;
  // The compact buffer's length after plainName.
  private transient int plainLength;

  /**
   * Copies the plain name at {@code at} and its colon into the compact buffer at {@code length}; returns
   * where its value starts (the new length in plainLength), or -1.
   */
  private int plainName(int at, int length) {
    int end = plainStringEnd(at);
    if (end < 0) {
      return -1;
    }
    length = put(length, line, at, end - at);
    int colon = skipWhitespace(end);
    if (colon >= lineEnd || line[colon] != ':') {
      return -1;
    }
    plainLength = put(length, (byte) ':');
    return skipWhitespace(colon + 1);
  }

  private int put(int length, byte b) {
    ensureCompact(length + 1);
    compact[length] = b;
    return length + 1;
  }

  private int put(int length, byte[] bytes, int from, int count) {
    ensureCompact(length + count);
    System.arraycopy(bytes, from, compact, length, count);
    return length + count;
  }

  private void ensureCompact(int needed) {
    if (compact == null || compact.length < needed) {
      compact = Arrays.copyOf(compact == null ? new byte[256] : compact, Math.max(2 * needed, 256));
    }
  }

  /** The field position of a plain line's index-th key (its bytes at line[start, start + length)), or -1. */
  private int plainPosition(int start, int length, int index) {
    if (index < lastKeyBytes.length) {
      byte[] last = lastKeyBytes[index];
      if (last != null
          && last.length == length
          && ByteArrayMethods.arrayEquals(
              line,
              Platform.BYTE_ARRAY_OFFSET + start,
              last,
              Platform.BYTE_ARRAY_OFFSET,
              length)) {
        return lastKeyPositions[index];
      }
    }
    Integer position = positions.get(new String(line, start, length, StandardCharsets.UTF_8));
    int found = position == null ? -1 : position;
    if (index < lastKeyBytes.length) {
      lastKeyBytes[index] = Arrays.copyOfRange(line, start, start + length);
      lastKeyPositions[index] = found;
    }
    return found;
  }

  private InternalRow parseLine() throws IOException {
    if (lineStart != 0 || lineEnd != line.length) {
      // Jackson reads a line it takes for UTF-16 or UTF-32 (leading zero bytes) past the end of a slice of a
      // larger array: it gets the line's bytes alone.
      line = Arrays.copyOfRange(line, lineStart, lineEnd);
      lineStart = 0;
      lineEnd = line.length;
    }
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
      lastKeyBytes = new byte[fields.length][];
      lastKeyPositions = new int[fields.length];
    }
    return factory;
  }
}

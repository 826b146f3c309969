package ndjsonparquet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.AccumulatorV2;

/**
 * What a pass of the line parser saw, counted as it parses: each input file's records and rejected lines,
 * and the keys outside the field list. The value is the JSON object {@code {"records_by_file": {file: n},
 * "rejects_by_file": {file: n}, "unseen_fields": [name, ...]}}; files are named as {@code input_file_name()}
 * names them, and a file appears under a count only when that count is not zero.
 *
 * <p>Why an accumulator: the job needs each file's counts (a file over the reject ratio is quarantined, each
 * file's tracking item gets its counts) from the pass that writes the records. Spark's {@code observe} gave
 * them, but its operator cannot join the generated code: every row was copied out of the parse and again
 * after it, which cost 13% of the pass. Counting here is the same guarantee Spark gives its own metrics:
 * updates of a task that fails are dropped, each successful task's are merged once.
 */
public final class PassCounts extends AccumulatorV2<InternalRow, String> {
  private static final long serialVersionUID = 1L;
  private static final int RECORDS = 0;
  private static final int REJECTS = 1;

  private HashMap<String, long[]> byFile = new HashMap<>();
  private TreeSet<String> unseenFields = new TreeSet<>();
  // The current file's counts: lines come file after file, so the map is looked up once per file.
  private transient UTF8String currentFile;
  private transient long[] currentCounts;

  /** Counts one parsed line (a {@link LineParser} result) of {@code file}. */
  public void count(UTF8String file, InternalRow parsed) {
    int status = parsed.getInt(LineParser.STATUS_COLUMN);
    if (status == LineParser.BLANK) {
      return;
    }
    if (file == null) {
      file = UTF8String.EMPTY_UTF8;
    }
    if (currentCounts == null || (file != currentFile && !file.equals(currentFile))) {
      currentFile = file.clone();
      currentCounts = byFile.computeIfAbsent(file.toString(), name -> new long[2]);
    }
    if (status == LineParser.RECORD) {
      currentCounts[RECORDS]++;
      if (!parsed.isNullAt(LineParser.UNSEEN_FIELDS_COLUMN)) {
        ArrayData names = parsed.getArray(LineParser.UNSEEN_FIELDS_COLUMN);
        for (int index = 0; index < names.numElements(); index++) {
          unseenFields.add(names.getUTF8String(index).toString());
        }
      }
    } else {
      currentCounts[REJECTS]++;
    }
  }

  @Override
  public boolean isZero() {
    return byFile.isEmpty() && unseenFields.isEmpty();
  }

  @Override
  public AccumulatorV2<InternalRow, String> copy() {
    PassCounts copy = new PassCounts();
    copy.merge(this);
    return copy;
  }

  @Override
  public void reset() {
    byFile = new HashMap<>();
    unseenFields = new TreeSet<>();
    currentFile = null;
    currentCounts = null;
  }

  @Override
  public void add(InternalRow parsed) {
    throw new UnsupportedOperationException("PassCounts counts through count(file, parsed)");
  }

  @Override
  public void merge(AccumulatorV2<InternalRow, String> other) {
    PassCounts counts = (PassCounts) other;
    counts.byFile.forEach(
        (file, their) -> {
          long[] mine = byFile.computeIfAbsent(file, name -> new long[2]);
          mine[RECORDS] += their[RECORDS];
          mine[REJECTS] += their[REJECTS];
        });
    unseenFields.addAll(counts.unseenFields);
  }

  @Override
  public String value() {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = new JsonFactory().createGenerator(text)) {
      generator.writeStartObject();
      writeCounts(generator, "records_by_file", RECORDS);
      writeCounts(generator, "rejects_by_file", REJECTS);
      generator.writeArrayFieldStart("unseen_fields");
      for (String name : unseenFields) {
        generator.writeString(name);
      }
      generator.writeEndArray();
      generator.writeEndObject();
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
    return text.toString();
  }

  private void writeCounts(JsonGenerator generator, String name, int which) throws IOException {
    generator.writeObjectFieldStart(name);
    for (Map.Entry<String, long[]> entry : new TreeMap<>(byFile).entrySet()) {
      if (entry.getValue()[which] > 0) {
        generator.writeNumberField(entry.getKey(), entry.getValue()[which]);
      }
    }
    generator.writeEndObject();
  }
}

package ndjsonparquet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.aggregate.ImperativeAggregate;
import org.apache.spark.sql.catalyst.expressions.aggregate.TypedImperativeAggregate;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.IndexedSeq;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Counts rows per value of a string column (null rows are not counted), as the JSON object {@code {value:
 * count}}: the records and the rejected lines of each input file, gathered by the pass that writes them.
 *
 * <p>Why an aggregate of its own: the job needs each file's record and reject counts (a file over the reject
 * ratio is quarantined, each file's tracking item gets its counts), and Spark's built-in aggregates count per
 * key only with a group-by, which would take a second pass over the data. This one runs inside the write's
 * {@code DataFrame.observe}, keeping a hash map per task. It is a Catalyst aggregate rather than a typed
 * {@code Aggregator} because the wrapper Spark puts around an {@code Aggregator} cannot be shipped back from a
 * task as an observed metric (its input projection is not serialisable).
 */
public final class FileCounts extends TypedImperativeAggregate<HashMap<UTF8String, Long>>
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression child;
  private final int mutableAggBufferOffset;
  private final int inputAggBufferOffset;

  public FileCounts(Expression child, int mutableAggBufferOffset, int inputAggBufferOffset) {
    this.child = child;
    this.mutableAggBufferOffset = mutableAggBufferOffset;
    this.inputAggBufferOffset = inputAggBufferOffset;
  }

  /** The aggregate over a string column, as a column to select or observe. */
  public static Column of(Column value) {
    return new Column(new FileCounts(value.expr(), 0, 0).toAggregateExpression());
  }

  @Override
  public HashMap<UTF8String, Long> createAggregationBuffer() {
    return new HashMap<>();
  }

  @Override
  public HashMap<UTF8String, Long> update(HashMap<UTF8String, Long> counts, InternalRow input) {
    Object value = child.eval(input);
    if (value != null) {
      UTF8String key = (UTF8String) value;
      Long count = counts.get(key);
      // The row's string may point into a buffer the next row reuses: a new key is copied.
      counts.put(count == null ? key.clone() : key, count == null ? 1L : count + 1);
    }
    return counts;
  }

  @Override
  public HashMap<UTF8String, Long> merge(HashMap<UTF8String, Long> counts, HashMap<UTF8String, Long> other) {
    other.forEach((value, count) -> counts.merge(value, count, Long::sum));
    return counts;
  }

  @Override
  public Object eval(HashMap<UTF8String, Long> counts) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = new JsonFactory().createGenerator(text)) {
      generator.writeStartObject();
      TreeMap<String, Long> sorted = new TreeMap<>();
      counts.forEach((value, count) -> sorted.put(value.toString(), count));
      for (Map.Entry<String, Long> entry : sorted.entrySet()) {
        generator.writeNumberField(entry.getKey(), entry.getValue());
      }
      generator.writeEndObject();
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
    return UTF8String.fromString(text.toString());
  }

  @Override
  public byte[] serialize(HashMap<UTF8String, Long> counts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(counts.size());
      for (Map.Entry<UTF8String, Long> entry : counts.entrySet()) {
        byte[] value = entry.getKey().getBytes();
        out.writeInt(value.length);
        out.write(value);
        out.writeLong(entry.getValue());
      }
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
    return bytes.toByteArray();
  }

  @Override
  public HashMap<UTF8String, Long> deserialize(byte[] storage) {
    HashMap<UTF8String, Long> counts = new HashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(storage))) {
      int size = in.readInt();
      for (int index = 0; index < size; index++) {
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        counts.put(UTF8String.fromBytes(value), in.readLong());
      }
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
    return counts;
  }

  @Override
  public int mutableAggBufferOffset() {
    return mutableAggBufferOffset;
  }

  @Override
  public int inputAggBufferOffset() {
    return inputAggBufferOffset;
  }

  @Override
  public ImperativeAggregate withNewMutableAggBufferOffset(int offset) {
    return new FileCounts(child, offset, inputAggBufferOffset);
  }

  @Override
  public ImperativeAggregate withNewInputAggBufferOffset(int offset) {
    return new FileCounts(child, mutableAggBufferOffset, offset);
  }

  @Override
  public boolean nullable() {
    return false;
  }

  @Override
  public DataType dataType() {
    return DataTypes.StringType;
  }

  @Override
  public Seq<Expression> children() {
    return JavaConverters.asScalaBuffer(java.util.List.of(child)).toList();
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> children) {
    return new FileCounts(children.apply(0), mutableAggBufferOffset, inputAggBufferOffset);
  }

  @Override
  public String prettyName() {
    return "file_counts";
  }

  @Override
  public int productArity() {
    return 3;
  }

  @Override
  public Object productElement(int index) {
    switch (index) {
      case 0:
        return child;
      case 1:
        return mutableAggBufferOffset;
      case 2:
        return inputAggBufferOffset;
      default:
        throw new IndexOutOfBoundsException(String.valueOf(index));
    }
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof FileCounts;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof FileCounts)) {
      return false;
    }
    FileCounts that = (FileCounts) other;
    return child.equals(that.child)
        && mutableAggBufferOffset == that.mutableAggBufferOffset
        && inputAggBufferOffset == that.inputAggBufferOffset;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(child, mutableAggBufferOffset, inputAggBufferOffset);
  }
}

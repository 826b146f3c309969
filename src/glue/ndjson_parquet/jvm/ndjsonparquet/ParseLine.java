package ndjsonparquet;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.Block;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.StringContext;
import scala.collection.IndexedSeq;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The line parser ({@link LineParser}) as a Catalyst expression over a line's string and its file's name
 * ({@code input_file_name()}): the parse of each line, counted per file into a {@link PassCounts} when one is
 * given.
 *
 * <p>Why an expression rather than a UDF: a UDF receives Java objects and returns them (the line's bytes
 * copied into a {@code byte[]}, a {@code Row} of Java strings converted back field by field), while an
 * expression takes the line's UTF-8 bytes as Spark holds them and hands back Spark's own row of UTF-8
 * strings, in Spark's generated code.
 */
public final class ParseLine extends Expression implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression line;
  private final Expression file;
  private final LineParser parser;
  private final DataType dataType;
  private final PassCounts counts;

  public ParseLine(Expression line, Expression file, LineParser parser, DataType dataType, PassCounts counts) {
    this.line = line;
    this.file = file;
    this.parser = parser;
    this.dataType = dataType;
    this.counts = counts;
  }

  /**
   * The parse of a string column of lines from the files {@code file} names, as a column of {@code
   * dataType}; counted into {@code counts} unless it is null.
   */
  public static Column of(
      Column line, Column file, List<String> fields, DataType dataType, PassCounts counts) {
    return new Column(new ParseLine(line.expr(), file.expr(), new LineParser(fields), dataType, counts));
  }

  @Override
  public Object eval(InternalRow input) {
    Object text = line.eval(input);
    return text == null ? null : parse((UTF8String) text, (UTF8String) file.eval(input));
  }

  /** Called by the generated code: no checked exception (a byte array is read without I/O). */
  public InternalRow parse(UTF8String text, UTF8String fileName) {
    InternalRow parsed;
    try {
      parsed = parser.parse(text);
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
    if (counts != null) {
      counts.count(fileName, parsed);
    }
    return parsed;
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    ExprCode text = line.genCode(ctx);
    ExprCode fileName = file.genCode(ctx);
    String reference = ctx.addReferenceObj("parseLine", this, ParseLine.class.getName());
    Block code =
        block(
            List.of(
                "",
                "\n",
                "\nboolean ",
                " = ",
                ";\norg.apache.spark.sql.catalyst.InternalRow ",
                " = null;\nif (!",
                ") {\n  ",
                " = " + reference + ".parse(",
                ", ",
                " ? null : ",
                ");\n}\n"),
            List.of(
                text.code(),
                fileName.code(),
                ev.isNull(),
                text.isNull(),
                ev.value(),
                ev.isNull(),
                ev.value(),
                text.value(),
                fileName.isNull(),
                fileName.value()));
    return ev.copy(code, ev.isNull(), ev.value());
  }

  private static Block block(List<String> parts, List<Object> inputs) {
    StringContext context = new StringContext(JavaConverters.asScalaBuffer(parts).toList());
    return new Block.BlockHelper(context).code(JavaConverters.asScalaBuffer(inputs).toList());
  }

  @Override
  public boolean nullable() {
    return line.nullable();
  }

  @Override
  public DataType dataType() {
    return dataType;
  }

  @Override
  public Seq<Expression> children() {
    return JavaConverters.asScalaBuffer(List.of(line, file)).toList();
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> children) {
    return new ParseLine(children.apply(0), children.apply(1), parser, dataType, counts);
  }

  @Override
  public String prettyName() {
    return "parse_ndjson_line";
  }

  @Override
  public String toString() {
    // The field list can be long: the plan names the parse and its line.
    return prettyName() + "(" + line + ")";
  }

  @Override
  public int productArity() {
    return 5;
  }

  @Override
  public Object productElement(int index) {
    switch (index) {
      case 0:
        return line;
      case 1:
        return file;
      case 2:
        return parser;
      case 3:
        return dataType;
      case 4:
        return counts;
      default:
        throw new IndexOutOfBoundsException(String.valueOf(index));
    }
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof ParseLine;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ParseLine)) {
      return false;
    }
    ParseLine that = (ParseLine) other;
    return line.equals(that.line)
        && file.equals(that.file)
        && parser.sameFields(that.parser)
        && dataType.equals(that.dataType)
        && counts == that.counts;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(line, file, parser.fieldCount(), dataType);
  }
}

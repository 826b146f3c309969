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
 * The line parser ({@link LineParser}) as a Catalyst expression over a line's string: the parse of each line.
 *
 * <p>Why an expression rather than a UDF: a UDF receives Java objects and returns them (the line's bytes
 * copied into a {@code byte[]}, a {@code Row} of Java strings converted back field by field), while an
 * expression takes the line's UTF-8 bytes as Spark holds them and hands back Spark's own row of UTF-8
 * strings, in Spark's generated code.
 */
public final class ParseLine extends Expression implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression child;
  private final LineParser parser;
  private final DataType dataType;

  public ParseLine(Expression child, LineParser parser, DataType dataType) {
    this.child = child;
    this.parser = parser;
    this.dataType = dataType;
  }

  /** The parse of a string column of lines, as a column of {@code dataType}. */
  public static Column of(Column line, List<String> fields, DataType dataType) {
    return new Column(new ParseLine(line.expr(), new LineParser(fields), dataType));
  }

  @Override
  public Object eval(InternalRow input) {
    Object line = child.eval(input);
    return line == null ? null : parse(parser, (UTF8String) line);
  }

  /** Called by the generated code: no checked exception (a byte array is read without I/O). */
  public static InternalRow parse(LineParser parser, UTF8String line) {
    try {
      return parser.parse(line);
    } catch (IOException error) {
      throw new UncheckedIOException(error);
    }
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    ExprCode line = child.genCode(ctx);
    String reference = ctx.addReferenceObj("lineParser", parser, LineParser.class.getName());
    Block code =
        block(
            List.of(
                "",
                "\nboolean ",
                " = ",
                ";\norg.apache.spark.sql.catalyst.InternalRow ",
                " = null;\nif (!",
                ") {\n  ",
                " = " + ParseLine.class.getName() + ".parse(" + reference + ", ",
                ");\n}\n"),
            List.of(line.code(), ev.isNull(), line.isNull(), ev.value(), ev.isNull(), ev.value(), line.value()));
    return ev.copy(code, ev.isNull(), ev.value());
  }

  private static Block block(List<String> parts, List<Object> inputs) {
    StringContext context = new StringContext(JavaConverters.asScalaBuffer(parts).toList());
    return new Block.BlockHelper(context).code(JavaConverters.asScalaBuffer(inputs).toList());
  }

  @Override
  public boolean nullable() {
    return child.nullable();
  }

  @Override
  public DataType dataType() {
    return dataType;
  }

  @Override
  public Seq<Expression> children() {
    return JavaConverters.asScalaBuffer(List.of(child)).toList();
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> children) {
    return new ParseLine(children.apply(0), parser, dataType);
  }

  @Override
  public String prettyName() {
    return "parse_ndjson_line";
  }

  @Override
  public String toString() {
    // The field list can be long: the plan names the parse and its line.
    return prettyName() + "(" + child + ")";
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
        return parser;
      case 2:
        return dataType;
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
    return child.equals(that.child) && parser.sameFields(that.parser) && dataType.equals(that.dataType);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(child, parser.fieldCount(), dataType);
  }
}

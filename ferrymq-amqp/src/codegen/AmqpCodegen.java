import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Build-time generator for the AMQP 0-9-1 method codec of FerryMQ.
 *
 * <p>Single-file JDK program (run with {@code java AmqpCodegen.java <spec.xml> <outDir>}) so the
 * build needs no separately compiled tool. Emits, into package {@code dev.ferrymq.amqp.method}:
 * one record per method, {@code MethodDecoder}, {@code MethodEncoder} and {@code MethodHandler}.
 */
public final class AmqpCodegen {

    private static final String PKG = "dev.ferrymq.amqp.method";

    /** Spec field names whose camelCase form would clash with {@code Method.classId()/methodId()}. */
    private static final Map<String, String> RENAMES = Map.of(
            "class-id", "failingClassId",
            "method-id", "failingMethodId");

    /** Accessors of {@code dev.ferrymq.amqp.Method} that no record component may shadow. */
    private static final Set<String> RESERVED_NAMES = Set.of("classId", "methodId", "name", "hasContent");

    record Field(String specName, String javaName, String type, boolean reserved) {}

    record MethodDef(String className, int classId, String specName, int index, boolean content, List<Field> fields) {
        String recordName() {
            return camel(className, true) + camel(specName, true);
        }

        String fullName() {
            return className + "." + specName;
        }

        boolean hasBytes() {
            return fields.stream().anyMatch(f -> !f.reserved && f.type.equals("longstr"));
        }

        List<Field> components() {
            return fields.stream().filter(f -> !f.reserved).toList();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java AmqpCodegen.java <spec.xml> <output-dir>");
            System.exit(2);
        }
        List<MethodDef> methods = parse(Path.of(args[0]));
        Path dir = Path.of(args[1]).resolve(PKG.replace('.', '/'));
        Files.createDirectories(dir);
        for (MethodDef m : methods) {
            write(dir.resolve(m.recordName() + ".java"), record(m));
        }
        write(dir.resolve("MethodHandler.java"), handler(methods));
        write(dir.resolve("MethodDecoder.java"), decoder(methods));
        write(dir.resolve("MethodEncoder.java"), encoder());
        System.out.println("AmqpCodegen: generated " + methods.size() + " methods into " + dir);
    }

    // ---------------------------------------------------------------- spec parsing

    static List<MethodDef> parse(Path spec) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(spec.toFile());
        Element root = doc.getDocumentElement();

        Map<String, String> domains = new HashMap<>();
        for (Element d : children(root, "domain")) {
            domains.put(d.getAttribute("name"), d.getAttribute("type"));
        }

        List<MethodDef> out = new ArrayList<>();
        for (Element c : children(root, "class")) {
            String className = c.getAttribute("name");
            int classId = Integer.parseInt(c.getAttribute("index"));
            for (Element m : children(c, "method")) {
                List<Field> fields = new ArrayList<>();
                for (Element fe : children(m, "field")) {
                    String name = fe.getAttribute("name");
                    String type = resolve(domains, fe.hasAttribute("domain") ? fe.getAttribute("domain") : fe.getAttribute("type"));
                    boolean reserved = "1".equals(fe.getAttribute("reserved"));
                    String javaName = RENAMES.getOrDefault(name, camel(name, false));
                    if (!reserved && RESERVED_NAMES.contains(javaName)) {
                        throw new IllegalStateException("field " + name + " clashes with Method accessor");
                    }
                    fields.add(new Field(name, javaName, type, reserved));
                }
                out.add(new MethodDef(className, classId, m.getAttribute("name"),
                        Integer.parseInt(m.getAttribute("index")), "1".equals(m.getAttribute("content")), fields));
            }
            if (className.equals("connection")) {
                addRabbitBlockedExtension(out, classId);
            }
        }
        return out;
    }

    /** connection.blocked/unblocked are a RabbitMQ extension missing from the published XML. */
    private static void addRabbitBlockedExtension(List<MethodDef> out, int classId) {
        boolean hasBlocked = out.stream().anyMatch(m -> m.classId == classId && m.index == 60);
        boolean hasUnblocked = out.stream().anyMatch(m -> m.classId == classId && m.index == 61);
        if (!hasBlocked) {
            out.add(new MethodDef("connection", classId, "blocked", 60, false,
                    List.of(new Field("reason", "reason", "shortstr", false))));
        }
        if (!hasUnblocked) {
            out.add(new MethodDef("connection", classId, "unblocked", 61, false, List.of()));
        }
    }

    private static String resolve(Map<String, String> domains, String name) {
        String t = name;
        for (int i = 0; i < 10; i++) {
            String next = domains.get(t);
            if (next == null || next.equals(t)) {
                break;
            }
            t = next;
        }
        if (!Set.of("bit", "octet", "short", "long", "longlong", "shortstr", "longstr", "timestamp", "table").contains(t)) {
            throw new IllegalStateException("unknown AMQP type " + t + " for domain " + name);
        }
        return t;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    static String camel(String specName, boolean upperFirst) {
        StringBuilder sb = new StringBuilder();
        boolean up = upperFirst;
        for (char ch : specName.toCharArray()) {
            if (ch == '-' || ch == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- emitters

    private static String javaType(String amqpType) {
        return switch (amqpType) {
            case "bit" -> "boolean";
            case "octet", "short", "long" -> "int";
            case "longlong", "timestamp" -> "long";
            case "shortstr" -> "String";
            case "longstr" -> "byte[]";
            case "table" -> "Map<String, Object>";
            default -> throw new IllegalArgumentException(amqpType);
        };
    }

    private static String record(MethodDef m) {
        String rn = m.recordName();
        List<Field> comps = m.components();
        StringBuilder s = new StringBuilder();
        s.append("package ").append(PKG).append(";\n\n");
        boolean tables = m.fields.stream().anyMatch(f -> f.type.equals("table"));
        boolean strings = m.fields.stream().anyMatch(f -> f.type.endsWith("str"));
        if (tables) {
            s.append("import dev.ferrymq.amqp.FieldTable;\n");
        }
        s.append("import dev.ferrymq.amqp.Method;\n");
        if (strings) {
            s.append("import dev.ferrymq.amqp.Wire;\n");
        }
        s.append("import io.netty.buffer.ByteBuf;\n");
        if (m.hasBytes()) {
            s.append("import java.util.Arrays;\n");
        }
        if (comps.stream().anyMatch(f -> f.type.equals("table"))) {
            s.append("import java.util.Map;\n");
        }
        if (m.hasBytes()) {
            s.append("import java.util.Objects;\n");
        }
        s.append('\n');
        s.append("/**\n * AMQP method {@code ").append(m.fullName()).append("} (class ").append(m.classId)
                .append(", method ").append(m.index).append(").\n *\n")
                .append(" * <pre>\n *   arguments: ").append(layout(m.fields)).append("\n * </pre>\n *\n")
                .append(" * <p>Generated by AmqpCodegen from the AMQP 0-9-1 spec; do not edit.\n */\n");
        s.append("public record ").append(rn).append("(");
        for (int i = 0; i < comps.size(); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(javaType(comps.get(i).type)).append(' ').append(comps.get(i).javaName);
        }
        s.append(") implements Method {\n\n");
        s.append("    public static final int CLASS_ID = ").append(m.classId).append(";\n");
        s.append("    public static final int METHOD_ID = ").append(m.index).append(";\n");
        s.append("    public static final String NAME = \"").append(m.fullName()).append("\";\n\n");
        s.append("    @Override public int classId() { return CLASS_ID; }\n\n");
        s.append("    @Override public int methodId() { return METHOD_ID; }\n\n");
        s.append("    @Override public String name() { return NAME; }\n\n");
        s.append("    @Override public boolean hasContent() { return ").append(m.content).append("; }\n\n");
        s.append("    @Override public void dispatch(MethodHandler handler) throws Exception { handler.on")
                .append(rn).append("(this); }\n\n");

        // encoder
        s.append("    @Override\n    public void writeArguments(ByteBuf out) {\n");
        emitWrites(s, m.fields);
        s.append("    }\n\n");

        // decoder
        s.append("    /** Reads the arguments (class and method ids already consumed). */\n");
        s.append("    public static ").append(rn).append(" readArguments(ByteBuf in) {\n");
        emitReads(s, m.fields);
        s.append("        return new ").append(rn).append("(");
        for (int i = 0; i < comps.size(); i++) {
            s.append(i > 0 ? ", " : "").append(comps.get(i).javaName);
        }
        s.append(");\n    }\n");

        if (m.hasBytes()) {
            emitValueMethods(s, rn, comps);
        }
        s.append("}\n");
        return s.toString();
    }

    /** Bits are accumulated LSB-first into one octet; any non-bit field (or the end) flushes it. */
    private static void emitWrites(StringBuilder s, List<Field> fields) {
        int bit = 0;
        boolean bitsDeclared = false;
        for (Field f : fields) {
            if (f.type.equals("bit")) {
                if (bit == 8) {
                    s.append("        out.writeByte(bits);\n");
                    bit = 0;
                }
                if (bit == 0) {
                    s.append(bitsDeclared ? "        bits = 0;\n" : "        int bits = 0;\n");
                    bitsDeclared = true;
                }
                if (!f.reserved) {
                    s.append("        if (").append(f.javaName).append(") bits |= ").append(1 << bit).append(";\n");
                }
                bit++;
                continue;
            }
            if (bit > 0) {
                s.append("        out.writeByte(bits);\n");
                bit = 0;
            }
            String v = f.reserved ? null : f.javaName;
            String cmt = f.reserved ? " // " + f.specName : "";
            s.append("        ").append(switch (f.type) {
                case "octet" -> "out.writeByte(" + (v == null ? "0" : v) + ");";
                case "short" -> "out.writeShort(" + (v == null ? "0" : v) + ");";
                case "long" -> "out.writeInt(" + (v == null ? "0" : v) + ");";
                case "longlong", "timestamp" -> "out.writeLong(" + (v == null ? "0" : v) + ");";
                case "shortstr" -> "Wire.writeShortString(out, " + (v == null ? "\"\"" : v) + ");";
                case "longstr" -> "Wire.writeLongString(out, " + (v == null ? "null" : v) + ");";
                case "table" -> "FieldTable.write(out, " + (v == null ? "null" : v) + ");";
                default -> throw new IllegalArgumentException(f.type);
            }).append(cmt).append('\n');
        }
        if (bit > 0) {
            s.append("        out.writeByte(bits);\n");
        }
    }

    private static void emitReads(StringBuilder s, List<Field> fields) {
        int bit = 0;
        boolean bitsDeclared = false;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f.type.equals("bit")) {
                if (bit == 8) {
                    bit = 0;
                }
                if (bit == 0) {
                    if (!usesBits(fields, i)) {
                        s.append("        in.skipBytes(1); // reserved bits\n");
                    } else {
                        s.append(bitsDeclared ? "        bits" : "        int bits").append(" = in.readUnsignedByte();\n");
                        bitsDeclared = true;
                    }
                }
                if (!f.reserved) {
                    s.append("        boolean ").append(f.javaName).append(" = (bits & ").append(1 << bit)
                            .append(") != 0;\n");
                }
                bit++;
                continue;
            }
            bit = 0;
            if (f.reserved) {
                s.append("        ").append(switch (f.type) {
                    case "octet" -> "in.skipBytes(1);";
                    case "short" -> "in.skipBytes(2);";
                    case "long" -> "in.skipBytes(4);";
                    case "longlong", "timestamp" -> "in.skipBytes(8);";
                    case "shortstr" -> "Wire.skipShortString(in);";
                    case "longstr" -> "Wire.skipLongString(in);";
                    case "table" -> "FieldTable.read(in);";
                    default -> throw new IllegalArgumentException(f.type);
                }).append(" // ").append(f.specName).append('\n');
                continue;
            }
            s.append("        ").append(javaType(f.type)).append(' ').append(f.javaName).append(" = ")
                    .append(switch (f.type) {
                        case "octet" -> "in.readUnsignedByte();";
                        case "short" -> "in.readUnsignedShort();";
                        case "long" -> "in.readInt();";
                        case "longlong", "timestamp" -> "in.readLong();";
                        case "shortstr" -> "Wire.readShortString(in);";
                        case "longstr" -> "Wire.readLongString(in);";
                        case "table" -> "FieldTable.read(in);";
                        default -> throw new IllegalArgumentException(f.type);
                    }).append('\n');
        }
    }

    /** One-line argument layout, bits grouped into their octet, e.g. {@code short | shortstr queue | bits(...)}. */
    private static String layout(List<Field> fields) {
        if (fields.isEmpty()) {
            return "(none)";
        }
        List<String> parts = new ArrayList<>();
        List<String> bits = new ArrayList<>();
        for (Field f : fields) {
            String name = f.reserved ? "reserved" : f.specName;
            if (f.type.equals("bit") && bits.size() < 8) {
                bits.add(name);
                continue;
            }
            if (!bits.isEmpty()) {
                parts.add("octet[" + String.join(",", bits) + "]");
                bits.clear();
            }
            if (f.type.equals("bit")) {
                bits.add(name);
            } else {
                parts.add(f.type + " " + name);
            }
        }
        if (!bits.isEmpty()) {
            parts.add("octet[" + String.join(",", bits) + "]");
        }
        return String.join(" | ", parts);
    }

    /** True if the bit octet starting at {@code start} holds any non-reserved bit. */
    private static boolean usesBits(List<Field> fields, int start) {
        for (int i = start; i < fields.size() && i < start + 8 && fields.get(i).type.equals("bit"); i++) {
            if (!fields.get(i).reserved) {
                return true;
            }
        }
        return false;
    }

    /** Records compare arrays by identity; override so decoded copies compare equal. */
    private static void emitValueMethods(StringBuilder s, String rn, List<Field> comps) {
        s.append("\n    @Override\n    public boolean equals(Object o) {\n");
        s.append("        if (this == o) return true;\n");
        s.append("        if (!(o instanceof ").append(rn).append(" other)) return false;\n");
        s.append("        return ");
        for (int i = 0; i < comps.size(); i++) {
            Field f = comps.get(i);
            if (i > 0) {
                s.append("\n            && ");
            }
            s.append(switch (javaType(f.type)) {
                case "byte[]" -> "Arrays.equals(" + f.javaName + ", other." + f.javaName + ")";
                case "int", "long", "boolean" -> f.javaName + " == other." + f.javaName;
                default -> "Objects.equals(" + f.javaName + ", other." + f.javaName + ")";
            });
        }
        s.append(";\n    }\n\n");
        s.append("    @Override\n    public int hashCode() {\n        int h = 0;\n");
        for (Field f : comps) {
            s.append("        h = 31 * h + ").append(javaType(f.type).equals("byte[]")
                    ? "Arrays.hashCode(" + f.javaName + ")"
                    : "Objects.hashCode(" + f.javaName + ")").append(";\n");
        }
        s.append("        return h;\n    }\n\n");
        // Byte arrays are printed as lengths only: they may hold SASL credentials.
        s.append("    @Override\n    public String toString() {\n        return \"").append(rn).append("[\"");
        for (int i = 0; i < comps.size(); i++) {
            Field f = comps.get(i);
            s.append("\n            + \"").append(i > 0 ? ", " : "").append(f.javaName).append("=\" + ");
            s.append(javaType(f.type).equals("byte[]")
                    ? "(" + f.javaName + " == null ? \"null\" : " + f.javaName + ".length + \" bytes\")"
                    : f.javaName);
        }
        s.append("\n            + \"]\";\n    }\n");
    }

    private static String handler(List<MethodDef> methods) {
        StringBuilder s = new StringBuilder();
        s.append("package ").append(PKG).append(";\n\n");
        s.append("import dev.ferrymq.amqp.AmqpException;\n\n");
        s.append("/**\n * Visitor over decoded methods; unhandled methods fail with NOT_IMPLEMENTED (540).\n")
                .append(" *\n * <p>Generated by AmqpCodegen; do not edit.\n */\n");
        s.append("public interface MethodHandler {\n");
        for (MethodDef m : methods) {
            String rn = m.recordName();
            s.append("\n    default void on").append(rn).append('(').append(rn)
                    .append(" m) throws Exception {\n        throw AmqpException.notImplemented(m);\n    }\n");
        }
        s.append("}\n");
        return s.toString();
    }

    private static String decoder(List<MethodDef> methods) {
        StringBuilder s = new StringBuilder();
        s.append("package ").append(PKG).append(";\n\n");
        s.append("import dev.ferrymq.amqp.AmqpException;\n");
        s.append("import dev.ferrymq.amqp.Method;\n");
        s.append("import dev.ferrymq.amqp.ReplyCode;\n");
        s.append("import io.netty.buffer.ByteBuf;\n");
        s.append("import java.util.List;\n\n");
        s.append("""
                /**
                 * Decodes a method frame payload.
                 *
                 * <pre>
                 *   0        2         4
                 *   +--------+---------+------------------+
                 *   |class-id|method-id| arguments ...    |
                 *   +--------+---------+------------------+
                 * </pre>
                 *
                 * <p>Generated by AmqpCodegen; do not edit.
                 */
                public final class MethodDecoder {

                    private static final List<Class<? extends Method>> METHOD_TYPES = List.of(
                """);
        for (int i = 0; i < methods.size(); i++) {
            s.append("            ").append(methods.get(i).recordName()).append(".class")
                    .append(i + 1 < methods.size() ? ",\n" : ");\n\n");
        }
        s.append("""
                    private MethodDecoder() {}

                    /** Every method record known to the codec, in spec order. */
                    public static List<Class<? extends Method>> methodTypes() {
                        return METHOD_TYPES;
                    }

                    /** The dotted spec name (e.g. {@code "basic.publish"}), or null if unknown. */
                    public static String methodName(int classId, int methodId) {
                        return switch ((classId << 16) | methodId) {
                """);
        for (MethodDef m : methods) {
            s.append("            case (").append(m.classId).append(" << 16) | ").append(m.index)
                    .append(" -> \"").append(m.fullName()).append("\";\n");
        }
        s.append("""
                            default -> null;
                        };
                    }

                    /**
                     * Reads class-id, method-id and arguments from the payload.
                     *
                     * @throws AmqpException 540 NOT_IMPLEMENTED for an unknown method, 502 SYNTAX_ERROR for
                     *     truncated or malformed arguments; both connection-level with the method ids attached
                     */
                    public static Method decode(ByteBuf payload) {
                        if (payload.readableBytes() < 4) {
                            throw AmqpException.connection(ReplyCode.SYNTAX_ERROR,
                                    "method frame too short (" + payload.readableBytes() + " bytes)");
                        }
                        int classId = payload.readUnsignedShort();
                        int methodId = payload.readUnsignedShort();
                        String name = methodName(classId, methodId);
                        if (name == null) {
                            throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED,
                                    "unknown method class-id " + classId + ", method-id " + methodId)
                                    .withMethod(classId, methodId);
                        }
                        try {
                            return readArguments(classId, methodId, payload);
                        } catch (IndexOutOfBoundsException e) {
                            throw malformed(name, "truncated arguments", classId, methodId, e);
                        } catch (AmqpException e) {
                            throw malformed(name, e.detail(), classId, methodId, e);
                        } catch (IllegalArgumentException e) {
                            throw malformed(name, e.getMessage(), classId, methodId, e);
                        }
                    }

                    private static AmqpException malformed(String name, String why, int classId, int methodId, Throwable cause) {
                        AmqpException e = AmqpException.connection(ReplyCode.SYNTAX_ERROR,
                                "malformed " + name + ": " + why).withMethod(classId, methodId);
                        e.initCause(cause);
                        return e;
                    }

                    private static Method readArguments(int classId, int methodId, ByteBuf in) {
                        return switch ((classId << 16) | methodId) {
                """);
        for (MethodDef m : methods) {
            s.append("            case (").append(m.classId).append(" << 16) | ").append(m.index)
                    .append(" -> ").append(m.recordName()).append(".readArguments(in);\n");
        }
        s.append("""
                            default -> throw new IllegalStateException("unreachable");
                        };
                    }
                }
                """);
        return s.toString();
    }

    private static String encoder() {
        return "package " + PKG + ";\n\n" + """
                import dev.ferrymq.amqp.Method;
                import io.netty.buffer.ByteBuf;

                /**
                 * Writes a method frame payload: class-id (short), method-id (short), arguments.
                 *
                 * <p>Generated by AmqpCodegen; do not edit.
                 */
                public final class MethodEncoder {

                    private MethodEncoder() {}

                    public static void write(ByteBuf out, Method m) {
                        out.writeShort(m.classId());
                        out.writeShort(m.methodId());
                        m.writeArguments(out);
                    }
                }
                """;
    }

    private static void write(Path file, String content) throws IOException {
        // Skip identical content so incremental compilation is not triggered needlessly.
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
            return;
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

}

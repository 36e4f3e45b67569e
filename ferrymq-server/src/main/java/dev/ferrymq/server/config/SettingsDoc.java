package dev.ferrymq.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings table of docs/config.md, generated from {@link Settings} between two marker comments. A test fails
 * when the file is out of date; {@code main} rewrites it:
 * {@code java -cp ferrymq-server/target/ferrymq-server.jar dev.ferrymq.server.config.SettingsDoc docs/config.md}
 * (after {@code ./ferrymq --help} or {@code mvn -o -q -DskipTests package} has built the jar).
 */
public final class SettingsDoc {
    static final String BEGIN = "<!-- settings table: generated from Settings.java by SettingsDoc, do not edit -->";
    static final String END = "<!-- end of settings table -->";

    private SettingsDoc() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "docs/config.md");
        String updated = updated(Files.readString(file));
        Files.writeString(file, updated);
        System.out.println("updated the settings table of " + file);
    }

    /** The Markdown table, one row per setting. */
    static String table() {
        StringBuilder table = new StringBuilder("| key | environment variable | flag | default | meaning |\n")
                .append("|---|---|---|---|---|\n");
        for (Setting<?> setting : Settings.all()) {
            String flag = setting.isSwitch() ? setting.flag() : setting.flag() + " " + setting.label();
            String defaultDoc = setting.defaultDoc().isEmpty() ? "" : " " + setting.defaultDoc();
            table.append("| `").append(setting.key()).append("` | `").append(setting.environmentVariable())
                    .append("` | `").append(flag.replace("|", "\\|")).append("` |").append(defaultDoc)
                    .append(" | ").append(setting.doc()).append(" |\n");
        }
        return table.toString();
    }

    /** {@code markdown} with the part between the markers replaced by the current table. */
    static String updated(String markdown) {
        int begin = markdown.indexOf(BEGIN);
        int end = markdown.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no settings table markers (" + BEGIN + " ... " + END + ")");
        }
        return markdown.substring(0, begin + BEGIN.length()) + "\n" + table() + markdown.substring(end);
    }
}

package dev.ferrymq.server.cli;

import dev.ferrymq.server.config.Setting;
import dev.ferrymq.server.config.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flags of {@code ferrymq server}, one per {@link Settings} entry, added to the command when picocli builds it
 * (so none is written by hand). Values stay strings until {@code ConfigSources} parses them, so a bad flag gets the
 * same one-line message as a bad config-file line or environment variable.
 */
public final class SettingFlags implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
        for (Setting<?> setting : Settings.all()) {
            OptionSpec.Builder option = OptionSpec.builder(setting.flag()).type(String.class)
                    .description(help(setting));
            if (setting.isSwitch()) {
                option.arity("0..1").fallbackValue("true").paramLabel("true|false");
            } else {
                option.arity("1").paramLabel(setting.label());
            }
            command.addOption(option.build());
        }
        return command;
    }

    /** The settings given as flags, with their values as typed, in the table's order. */
    static Map<Setting<?>, String> given(ParseResult parsed) {
        Map<Setting<?>, String> given = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.all()) {
            if (parsed.hasMatchedOption(setting.flag())) {
                given.put(setting, parsed.matchedOptionValue(setting.flag(), ""));
            }
        }
        return given;
    }

    /** The Markdown of the docs as plain help text, with the default and the environment variable. */
    static String help(Setting<?> setting) {
        String text = setting.doc() + (setting.defaultDoc().isEmpty() ? "" : " (default " + setting.defaultDoc() + ")")
                + "; " + setting.environmentVariable() + ".";
        return text.replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1").replace("`", "").replace("%", "%%");
    }
}

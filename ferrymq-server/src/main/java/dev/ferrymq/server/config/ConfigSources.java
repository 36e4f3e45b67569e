package dev.ferrymq.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where settings come from, lowest precedence first: defaults, a config file of {@code key = value} lines
 * (java.util.Properties syntax), environment variables {@code FERRYMQ_<KEY>} ({@code FERRYMQ_AMQP_PORT}), and the
 * flags of {@code ferrymq server}. Every key is a {@link Settings} entry; docs/config.md lists them.
 */
public final class ConfigSources {
    /** The config file used when no --config is given and FERRYMQ_CONFIG is unset, if it exists. */
    static final Path DEFAULT_FILE = Path.of("ferrymq.conf");

    private ConfigSources() {
    }

    /**
     * Defaults, then the config file (the given one; else FERRYMQ_CONFIG; else ./ferrymq.conf if it exists),
     * then the environment's FERRYMQ_ variables.
     */
    public static ServerConfig load(Path configFile, Map<String, String> env) throws IOException {
        return load(configFile, env, Map.of());
    }

    /**
     * Defaults, file and environment as {@link #load(Path, Map)}, then {@code flags} (each setting's value as given
     * on the command line); the TLS settings are checked together at the end. SettingException (one line naming
     * the setting and its source) if any is unknown or bad.
     */
    public static ServerConfig load(Path configFile, Map<String, String> env, Map<Setting<?>, String> flags)
            throws IOException {
        Path file = configFile;
        if (file == null && env.get("FERRYMQ_CONFIG") != null) {
            file = Path.of(env.get("FERRYMQ_CONFIG"));
        }
        if (file == null && Files.isRegularFile(DEFAULT_FILE)) {
            file = DEFAULT_FILE;
        }
        ServerConfig config = ServerConfig.defaults();
        if (file != null) {
            config = loadFile(config, file);
        }
        config = applyEnvironment(config, env);
        for (Map.Entry<Setting<?>, String> flag : flags.entrySet()) {
            config = apply(config, flag.getKey(), flag.getValue(), flag.getKey().flag());
        }
        return checkTls(config);
    }

    static ServerConfig loadFile(ServerConfig config, Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new SettingException("no config file " + file);
        }
        for (String key : properties.stringPropertyNames()) {
            config = apply(config, key, properties.getProperty(key), "'" + key + "' in " + file);
        }
        return config;
    }

    static ServerConfig applyEnvironment(ServerConfig config, Map<String, String> env) {
        for (Setting<?> setting : Settings.all()) {
            String value = env.get(setting.environmentVariable());
            if (value != null) {
                config = apply(config, setting, value, setting.environmentVariable());
            }
        }
        return config;
    }

    /** One setting by key; {@code source} names where it came from for error messages. */
    static ServerConfig apply(ServerConfig config, String key, String rawValue, String source) {
        Setting<?> setting = Settings.byKey(key);
        if (setting == null) {
            throw new SettingException("bad setting " + source + " = '" + rawValue.trim() + "': unknown setting");
        }
        return apply(config, setting, rawValue, source);
    }

    private static <T> ServerConfig apply(ServerConfig config, Setting<T> setting, String rawValue, String source) {
        try {
            return config.with(setting, setting.parse(rawValue));
        } catch (IllegalArgumentException e) {
            throw new SettingException("bad setting " + source + " = '" + rawValue.trim() + "': " + e.getMessage());
        }
    }

    /** The TLS settings only make sense together: check them once every source has been read. */
    private static ServerConfig checkTls(ServerConfig config) {
        try {
            config.tls();
        } catch (IllegalArgumentException e) {
            throw new SettingException("bad TLS settings (" + Settings.TLS_CERT.key() + " and the keys after it): "
                    + e.getMessage());
        }
        return config;
    }
}

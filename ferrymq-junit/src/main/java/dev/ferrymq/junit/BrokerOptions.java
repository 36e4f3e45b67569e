package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How the extension starts its brokers: from {@link FerryMQTest}'s attributes or {@link FerryMQExtension#create()}'s
 * fluent calls. Immutable.
 */
record BrokerOptions(boolean perMethod, Reset reset, Path definitions, int managementPort,
                     Consumer<FerryMQBroker.Builder> customizer) {

    static final BrokerOptions DEFAULTS = new BrokerOptions(false, Reset.NONE, null, -1, builder -> { });

    static BrokerOptions of(FerryMQTest annotation, Class<?> testClass) {
        return new BrokerOptions(annotation.perMethod(), annotation.reset(),
                resource(annotation.definitions(), testClass), annotation.managementPort(), builder -> { });
    }

    /** A classpath resource as a file (test resources are files under target/test-classes). */
    private static Path resource(String name, Class<?> testClass) {
        if (name.isEmpty()) {
            return null;
        }
        URL url = testClass.getClassLoader().getResource(name.startsWith("/") ? name.substring(1) : name);
        if (url == null) {
            throw new IllegalArgumentException("@FerryMQTest(definitions = \"" + name + "\"): no such resource");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalArgumentException("@FerryMQTest(definitions = \"" + name + "\") must be a file, not "
                    + url, e);
        }
    }

    BrokerOptions withPerMethod(boolean value) {
        return new BrokerOptions(value, reset, definitions, managementPort, customizer);
    }

    BrokerOptions withReset(Reset value) {
        return new BrokerOptions(perMethod, value, definitions, managementPort, customizer);
    }

    BrokerOptions withCustomizer(Consumer<FerryMQBroker.Builder> value) {
        return new BrokerOptions(perMethod, reset, definitions, managementPort, customizer.andThen(value));
    }

    /** The external broker named by the system property or environment variable, or a new embedded one. */
    FerryMQBroker start() {
        String external = externalUri();
        if (external != null) {
            return FerryMQBroker.external(external);
        }
        FerryMQBroker.Builder builder = FerryMQBroker.builder().inMemory().managementPort(managementPort);
        if (definitions != null) {
            builder.definitions(definitions);
        }
        customizer.accept(builder);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded FerryMQ broker did not start", e);
        }
    }

    static String externalUri() {
        String uri = System.getProperty(FerryMQExtension.EXTERNAL_BROKER_PROPERTY);
        if (uri == null || uri.isBlank()) {
            uri = System.getenv(FerryMQExtension.EXTERNAL_BROKER_VARIABLE);
        }
        return uri == null || uri.isBlank() ? null : uri.trim();
    }
}

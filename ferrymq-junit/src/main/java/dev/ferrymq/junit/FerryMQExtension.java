package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.function.Consumer;

/**
 * The JUnit Jupiter extension behind {@link FerryMQTest}, also usable on its own:
 * <pre>{@code
 * @RegisterExtension
 * static FerryMQExtension ferry = FerryMQExtension.create().reset(Reset.DELETE)
 *         .configure(builder -> builder.definitions(Path.of("src/test/resources/definitions.json")));
 * ...
 * ferry.broker().amqpUri()
 * }</pre>
 * Register it on a static field (the class-level callbacks start the broker). Per-method brokers and resets are the
 * same as with the annotation. {@link #broker()} assumes the tests of a class do not run concurrently.
 */
public final class FerryMQExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    /** System property naming an external broker's AMQP URI: no embedded broker is started. */
    public static final String EXTERNAL_BROKER_PROPERTY = "ferrymq.test.broker-uri";
    /** Environment variable doing the same, where the property is not set. */
    public static final String EXTERNAL_BROKER_VARIABLE = "FERRYMQ_TEST_BROKER_URI";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FerryMQExtension.class);
    private static final String METHOD_BROKER = "method-broker";

    private final BrokerOptions programmatic; // null when @FerryMQTest registered it
    private volatile FerryMQBroker current;

    /** For {@code @ExtendWith}: the options come from {@link FerryMQTest} on the test class. */
    public FerryMQExtension() {
        this(null);
    }

    private FerryMQExtension(BrokerOptions programmatic) {
        this.programmatic = programmatic;
    }

    /** An extension for {@code @RegisterExtension}: a class-level, in-memory broker unless told otherwise. */
    public static FerryMQExtension create() {
        return new FerryMQExtension(BrokerOptions.DEFAULTS);
    }

    /** A fresh broker for every test method. */
    public FerryMQExtension perMethod() {
        return new FerryMQExtension(options().withPerMethod(true));
    }

    /** What to clean after each test (class-level broker). */
    public FerryMQExtension reset(Reset reset) {
        return new FerryMQExtension(options().withReset(reset));
    }

    /** Adjusts the broker's builder before each start (definitions, settings, management port...). */
    public FerryMQExtension configure(Consumer<FerryMQBroker.Builder> customizer) {
        return new FerryMQExtension(options().withCustomizer(customizer));
    }

    private BrokerOptions options() {
        return programmatic == null ? BrokerOptions.DEFAULTS : programmatic;
    }

    /** The broker of the running test (or class); IllegalStateException outside of one. */
    public FerryMQBroker broker() {
        FerryMQBroker broker = current;
        if (broker == null) {
            throw new IllegalStateException("no FerryMQ broker is running: register the extension on a static "
                    + "field and call broker() from a test or lifecycle method");
        }
        return broker;
    }

    /** The options of this test class: the programmatic ones, else those of the nearest {@link FerryMQTest}. */
    private BrokerOptions options(ExtensionContext context) {
        if (programmatic != null) {
            return programmatic;
        }
        return optionsOf(context.getRequiredTestClass());
    }

    static BrokerOptions optionsOf(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            var annotation = AnnotationSupport.findAnnotation(c, FerryMQTest.class);
            if (annotation.isPresent()) {
                return BrokerOptions.of(annotation.get(), c);
            }
        }
        return BrokerOptions.DEFAULTS;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!options(context).perMethod()) {
            current = ClassBrokers.findOrStart(context.getRequiredTestClass(), options(context));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        current = brokerFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        BrokerOptions options = options(context);
        if (options.perMethod()) {
            FerryMQBroker broker = context.getStore(NAMESPACE).remove(METHOD_BROKER, FerryMQBroker.class);
            if (broker != null) {
                broker.close();
            }
        } else if (options.reset() == Reset.DELETE) {
            brokerFor(context).resetAll();
        } else if (options.reset() == Reset.PURGE) {
            brokerFor(context).purgeAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        current = null;
        ClassBrokers.stop(context.getRequiredTestClass());
    }

    private FerryMQBroker brokerFor(ExtensionContext context) {
        BrokerOptions options = options(context);
        if (!options.perMethod()) {
            return ClassBrokers.findOrStart(context.getRequiredTestClass(), options);
        }
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("with perMethod = true a broker exists only for a test method: "
                    + "it cannot be injected into @BeforeAll methods or a PER_CLASS test instance's constructor");
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(METHOD_BROKER, key -> options.start(),
                FerryMQBroker.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FerryMQBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return brokerFor(context);
    }

    /** Constructors see the test method's context, so that a per-method broker can be injected into them. */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }
}

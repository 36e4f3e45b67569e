package dev.ferrymq.junit;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

import java.util.List;

/**
 * Points {@code spring.rabbitmq.*} at the broker of a {@link FerryMQTest} class in the Spring test context it loads
 * (registered in META-INF/spring.factories; Spring's TestContext framework finds it). The context is the class's own,
 * not shared with other classes (each has its own broker); {@link FerryMQTestExecutionListener} closes it after the
 * class.
 */
public final class FerryMQContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
                                                     List<ContextConfigurationAttributes> configAttributes) {
        return isFerryMQTest(testClass) ? new BrokerProperties(testClass) : null;
    }

    static boolean isFerryMQTest(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            if (c.isAnnotationPresent(FerryMQTest.class)) {
                return true;
            }
        }
        return false;
    }

    /** Equal for the same test class only: a context cached for one class's broker must not serve another's. */
    private record BrokerProperties(Class<?> testClass) implements ContextCustomizer {
        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            BrokerOptions options = FerryMQExtension.optionsOf(testClass);
            if (options.perMethod()) {
                throw new IllegalStateException("@FerryMQTest(perMethod = true) cannot back a Spring context, "
                        + "which lives for the whole class: use the class-level broker with reset = PURGE or DELETE");
            }
            var broker = ClassBrokers.findOrStart(testClass, options);
            context.getEnvironment().getPropertySources().addFirst(
                    new MapPropertySource("ferrymq", SpringRabbitProperties.of(broker)));
        }
    }
}

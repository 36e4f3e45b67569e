package dev.ferrymq.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the test class against an embedded FerryMQ broker (in memory, on 127.0.0.1 and a free port): one for the
 * class, shared by its {@code @Nested} classes, or one per test method with {@code perMethod = true}. A test
 * method, lifecycle method or constructor parameter of type {@link dev.ferrymq.embedded.FerryMQBroker} receives
 * it. In a Spring test ({@code @SpringBootTest}), {@code spring.rabbitmq.*} point at it.
 *
 * <p>With the system property {@value FerryMQExtension#EXTERNAL_BROKER_PROPERTY} (or the environment variable
 * {@value FerryMQExtension#EXTERNAL_BROKER_VARIABLE}) set to an AMQP URI, no broker is started: the tests run
 * against that one (a real RabbitMQ, say) unchanged.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(FerryMQExtension.class)
public @interface FerryMQTest {
    /** A fresh broker for every test method instead of one for the class. */
    boolean perMethod() default false;

    /** What to clean after each test when the broker is the class's. */
    Reset reset() default Reset.NONE;

    /** A classpath resource with RabbitMQ definitions to load at start (and again on {@link Reset#DELETE}). */
    String definitions() default "";

    /** Starts the management API and web UI on this port too (0 = a free one); -1, the default, leaves it off. */
    int managementPort() default -1;
}

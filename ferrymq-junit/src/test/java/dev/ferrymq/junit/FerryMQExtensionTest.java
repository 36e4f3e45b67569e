package dev.ferrymq.junit;

import dev.ferrymq.embedded.FerryMQBroker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.ferrymq.junit.Cases.SEEN;
import static org.assertj.core.api.Assertions.assertThat;

/** The extension's behaviour, checked by running small test classes with the JUnit Platform testkit. */
class FerryMQExtensionTest {

    @Test
    void aClassLevelBrokerIsSharedByTheClassAndStoppedAfterIt() {
        Cases.runAllPassing(ClassLevel.class, 2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
        assertThat(Cases.accepting(SEEN.get(0))).as("stopped after the class").isFalse();
    }

    @FerryMQTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ClassLevel {
        @Test
        @Order(1)
        void first(FerryMQBroker broker) throws Exception {
            SEEN.add(broker);
            Cases.declareQueue(broker, "left-behind");
        }

        @Test
        @Order(2)
        void second(FerryMQBroker broker) {
            SEEN.add(broker);
            assertThat(broker.queue("left-behind").messageCount()).isEqualTo(1);
        }
    }

    @Test
    void perMethodGivesEachTestAFreshBrokerAlsoThroughTheConstructor() {
        Cases.runAllPassing(PerMethod.class, 2);
        assertThat(SEEN).hasSize(4); // constructor and method parameter of each test
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
        assertThat(SEEN.get(2)).isSameAs(SEEN.get(3)).isNotSameAs(SEEN.get(0));
        assertThat(SEEN).noneMatch(Cases::accepting);
    }

    @FerryMQTest(perMethod = true)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerMethod {
        PerMethod(FerryMQBroker broker) {
            SEEN.add(broker);
        }

        @Test
        @Order(1)
        void first(FerryMQBroker broker) throws Exception {
            SEEN.add(broker);
            Cases.declareQueue(broker, "mine");
        }

        @Test
        @Order(2)
        void second(FerryMQBroker broker) {
            SEEN.add(broker);
            assertThat(broker.queue("mine").exists()).isFalse();
        }
    }

    @Test
    void resetDeleteRemovesWhatATestDeclaredBeforeTheNext() {
        Cases.runAllPassing(ResetDelete.class, 2);
    }

    @FerryMQTest(reset = Reset.DELETE, definitions = "definitions.json")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ResetDelete {
        @Test
        @Order(1)
        void declares(FerryMQBroker broker) throws Exception {
            assertThat(broker.queue("orders.created").exists()).as("from definitions.json").isTrue();
            Cases.declareQueue(broker, "scratch");
        }

        @Test
        @Order(2)
        void seesOnlyTheDefinitions(FerryMQBroker broker) {
            assertThat(broker.queue("scratch").exists()).isFalse();
            assertThat(broker.queue("orders.created").exists()).isTrue();
        }
    }

    @Test
    void resetPurgeEmptiesQueuesButKeepsThem() {
        Cases.runAllPassing(ResetPurge.class, 2);
    }

    @FerryMQTest(reset = Reset.PURGE)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ResetPurge {
        @Test
        @Order(1)
        void publishes(FerryMQBroker broker) throws Exception {
            Cases.declareQueue(broker, "kept");
        }

        @Test
        @Order(2)
        void findsTheQueueEmpty(FerryMQBroker broker) {
            assertThat(broker.queue("kept").messageCount()).isZero();
        }
    }

    @Test
    void registerExtensionGivesTheBrokerToFieldAndParameters() {
        Cases.runAllPassing(Programmatic.class, 1);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
    }

    static class Programmatic {
        @RegisterExtension
        static FerryMQExtension ferry = FerryMQExtension.create()
                .configure(builder -> builder.setting("max-queues-per-vhost", "5"));

        @BeforeEach
        void recordField() {
            SEEN.add(ferry.broker());
        }

        @Test
        void usesIt(FerryMQBroker broker) throws Exception {
            SEEN.add(broker);
            Cases.declareQueue(broker, "q");
            assertThat(broker.awaitMessages("q", 1, Duration.ofSeconds(5))).hasSize(1);
        }
    }

    @Test
    void nestedClassesShareTheEnclosingClassBroker() {
        Cases.runAllPassing(Outer.class, 2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
    }

    @FerryMQTest
    static class Outer {
        @Test
        void outer(FerryMQBroker broker) {
            SEEN.add(broker);
        }

        @Nested
        class Inner {
            @Test
            void inner(FerryMQBroker broker) {
                SEEN.add(broker);
            }
        }
    }

    @Test
    void theExternalBrokerPropertyRunsTheSameTestsAgainstAnotherBroker() throws Exception {
        try (FerryMQBroker elsewhere = FerryMQBroker.builder().start()) {
            System.setProperty(FerryMQExtension.EXTERNAL_BROKER_PROPERTY, elsewhere.amqpUri());
            try {
                Cases.runAllPassing(ClassLevel.class, 2);
            } finally {
                System.clearProperty(FerryMQExtension.EXTERNAL_BROKER_PROPERTY);
            }
            assertThat(SEEN.get(0).isEmbedded()).isFalse();
            assertThat(SEEN.get(0).port()).isEqualTo(elsewhere.port());
            assertThat(elsewhere.queue("left-behind").exists()).as("declared on the external broker").isTrue();
            assertThat(Cases.accepting(elsewhere)).as("left running").isTrue();
        }
    }
}

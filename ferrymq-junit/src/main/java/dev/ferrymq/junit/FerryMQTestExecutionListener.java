package dev.ferrymq.junit;

import org.springframework.core.Ordered;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Closes (and evicts from Spring's context cache) the Spring test context of a {@link FerryMQTest} class after the
 * class, as {@code @DirtiesContext} would: it is bound to that class's broker, which stops, and its listener
 * containers would otherwise go on retrying the closed port. Registered in META-INF/spring.factories; runs last
 * after the class, once Spring's own listeners are done with the context.
 */
public final class FerryMQTestExecutionListener implements TestExecutionListener, Ordered {

    @Override
    public void afterTestClass(TestContext testContext) {
        if (FerryMQContextCustomizerFactory.isFerryMQTest(testContext.getTestClass())
                && testContext.hasApplicationContext()) {
            testContext.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE; // "after" callbacks run in reverse order: this one last
    }
}

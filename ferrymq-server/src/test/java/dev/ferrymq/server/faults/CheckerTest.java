package dev.ferrymq.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checker on made-up histories: it must fail a run that lost, invented or resurrected a message. */
class CheckerTest {

    @Test
    void aConfirmedMessageNeverDeliveredIsLost() {
        History history = new History();
        publishAndConfirm(history, "p0-0");
        publishAndConfirm(history, "p0-1");
        history.delivered("p0-0");

        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.lostSample()).containsExactly("p0-1");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void anUnconfirmedMessageMayOrMayNotArrive() {
        History history = new History();
        history.published("p0-0");
        history.indeterminate("p0-0");
        history.published("p0-1");
        history.indeterminate("p0-1");
        history.delivered("p0-1");

        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.lost()).isZero();
        assertThat(verdict.indeterminate()).isEqualTo(2);
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void aDeliveryOfSomethingNeverPublishedIsUnexpected() {
        History history = new History();
        history.delivered("p9-9");

        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.unexpectedSample()).containsExactly("p9-9");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void duplicatesAreCountedButAllowed() {
        History history = new History();
        publishAndConfirm(history, "p0-0");
        history.delivered("p0-0");
        history.delivered("p0-0");

        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.duplicates()).isEqualTo(1);
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void aDeliveryAfterTheAckWasCommittedIsAResurrection() throws Exception {
        History history = new History();
        publishAndConfirm(history, "p0-0");
        history.delivered("p0-0");
        history.settled("p0-0");
        Thread.sleep(5); // the times are in milliseconds
        history.delivered("p0-0");

        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.resurrectedSample()).containsExactly("p0-0");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void aWindowLastsFromTheFirstFailureToTheNextConfirm() throws Exception {
        History history = new History();
        history.publishPathDown(0);
        history.publishPathDown(0); // still the same window
        Thread.sleep(20);
        publishAndConfirm(history, "p0-0");
        history.publishPathDown(1); // never healed: closed at the end

        history.closeOpenWindows();
        Checker.Verdict verdict = Checker.check(history.snapshot());

        assertThat(verdict.unavailableWindows()).isEqualTo(2);
        assertThat(verdict.longestUnavailableMillis()).isGreaterThanOrEqualTo(20);
    }

    private static void publishAndConfirm(History history, String id) {
        history.published(id);
        history.confirmed(Integer.parseInt(id.substring(1, id.indexOf('-'))), id);
    }
}

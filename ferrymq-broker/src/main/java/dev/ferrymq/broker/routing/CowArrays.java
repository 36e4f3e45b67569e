package dev.ferrymq.broker.routing;

import java.util.Arrays;

/**
 * Copy-on-write helpers for the small immutable {@link Binding} arrays that routers publish
 * through volatile fields / concurrent maps. Stateless, thread-safe.
 */
final class CowArrays {
    static final Binding[] EMPTY = new Binding[0];

    private CowArrays() {
    }

    static Binding[] with(Binding[] array, Binding b) {
        Binding[] copy = Arrays.copyOf(array, array.length + 1);
        copy[array.length] = b;
        return copy;
    }

    /** A copy without {@code b} (matched by Binding identity); the same array if absent. */
    static Binding[] without(Binding[] array, Binding b) {
        for (int i = 0; i < array.length; i++) {
            if (array[i].equals(b)) {
                if (array.length == 1) {
                    return EMPTY;
                }
                Binding[] copy = new Binding[array.length - 1];
                System.arraycopy(array, 0, copy, 0, i);
                System.arraycopy(array, i + 1, copy, i, array.length - i - 1);
                return copy;
            }
        }
        return array;
    }
}

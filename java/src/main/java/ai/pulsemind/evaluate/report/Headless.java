package ai.pulsemind.evaluate.report;

/**
 * Charts are drawn into images, never on a screen: ask AWT for headless mode before anything initializes it, so
 * rendering works with no display (servers, CI) and cannot fail on a DISPLAY that points at no X server. A JVM that
 * already chose (the property set, e.g. by an embedding desktop application) is left as it is.
 */
final class Headless {
    private Headless() {}

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Runs the static initializer (once); call from the static initializer of every class that touches AWT. */
    static void ensure() {}
}

package dev.meridian.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Free ports for tests, and a check whether something already listens. */
public final class Ports {

    private Ports() {
    }

    /** Below Linux's ephemeral range (32768+), so an outgoing connection never takes a port before its server binds. */
    private static final int LOW = 20000;
    private static final int HIGH = 32768;
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on now, outside the range the OS hands to outgoing connections (a server may bind it
     * many seconds later, as Keycloak does), and never the same one twice in this JVM.
     */
    public static int free() {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(LOW, HIGH);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free TCP port between " + LOW + " and " + HIGH));
    }

    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

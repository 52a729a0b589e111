package dev.denoise.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on loopback, so several stacks (tests, a developer's own) never collide. */
public final class FreePorts {
    private FreePorts() {}

    public static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on loopback", e);
        }
    }

    /**
     * A first port of {@code count} consecutive ones that are free now, from the ephemeral range
     * the system hands out (each checked by binding it).
     */
    public static int findBlock(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = find();
            if (first + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int port = first + 1; port < first + count && free; port++) {
                free = isFree(port);
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("No " + count + " consecutive free ports on loopback");
    }

    /**
     * True when a server could listen on this loopback port now: nothing accepts connections there
     * and nothing holds it bound (a bound socket that does not listen yet still blocks a server).
     */
    public static boolean isFree(int port) {
        if (inUse(port)) {
            return false;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the broker and registry bind: a closed connection's TIME_WAIT does not block them
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when something accepts connections on this loopback port. */
    public static boolean inUse(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.denoise.localstack;

import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The main class of {@link StandInRegistry}: holds the loopback port the registry would serve on
 * ({@code -Dquarkus.http.port}) until the process is stopped, answering no request.
 */
public final class PortHolder {
    private PortHolder() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getProperty("quarkus.http.port"));
        try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            while (true) {
                socket.accept().close();
            }
        }
    }
}

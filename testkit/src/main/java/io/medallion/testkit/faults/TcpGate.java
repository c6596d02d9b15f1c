package io.medallion.testkit.faults;

import io.medallion.localstack.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 in front of a local service, that a test can shut (connections
 * refused, open ones cut) and open again: a network outage of a service that keeps its state, such
 * as S3Proxy, whose in-memory store a restart would empty.
 */
public final class TcpGate implements AutoCloseable {
  private final int port;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private ServerSocket server;

  private TcpGate(int port, int targetPort) {
    this.port = port;
    this.targetPort = targetPort;
  }

  /** An open gate on a free port that forwards to {@code targetPort}. */
  public static TcpGate to(int targetPort) {
    TcpGate gate = new TcpGate(ChildJvm.freePort(), targetPort);
    gate.open();
    return gate;
  }

  /** {@code http://127.0.0.1:<port>}: the gate as an HTTP endpoint. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Accepts and forwards connections (again). */
  public synchronized void open() {
    try {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the gate on port " + port, e);
    }
    ServerSocket accepting = server;
    Thread acceptor =
        new Thread(
            () -> {
              while (!accepting.isClosed()) {
                Socket client;
                try {
                  client = accepting.accept();
                } catch (IOException e) {
                  continue; // closed by shut()
                }
                try {
                  Socket target = new Socket("127.0.0.1", targetPort);
                  sockets.add(client);
                  sockets.add(target);
                  pump(client, target);
                  pump(target, client);
                } catch (IOException e) {
                  closeQuietly(client); // the target refused: the client sees a dropped connection
                }
              }
            },
            "tcp-gate-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Refuses new connections and cuts the open ones. */
  public synchronized void shut() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException e) {
      // Closing is all that matters.
    }
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  @Override
  public void close() {
    shut();
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // One side closed.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-gate-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}

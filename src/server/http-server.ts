import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface ListenOptions {
  host: string;
  port: number;
  /** PEM certificate and key; plain HTTP when absent (TLS terminated by a load balancer). */
  tls?: { certPem: string; keyPem: string };
}

export interface RunningServer {
  /** The port actually bound (differs from the requested one when that was 0). */
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then drops
   * whatever remains. Resolves once the listener is closed.
   */
  close(graceMs: number): Promise<void>;
}

export async function listen(handler: RequestListener, options: ListenOptions): Promise<RunningServer> {
  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : http.createServer(handler);
  // Slow-loris guard: headers must arrive promptly; bodies get longer (large CardDAV multigets).
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 65_000;

  // Responses in flight, so that on shutdown each can tell its client to close the connection and
  // its socket is released as soon as it finishes instead of idling until keepAliveTimeout.
  const inFlight = new Set<http.ServerResponse>();
  let closing = false;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const res of inFlight) {
          if (!res.headersSent) res.setHeader('Connection', 'close');
          res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
        }
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      }),
  };
}

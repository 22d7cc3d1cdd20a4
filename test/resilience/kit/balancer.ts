import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Backend {
  name: string;
  port: number;
}

export interface BalancerStats {
  /** Requests forwarded, per backend name. */
  served: Map<string, number>;
  /** Requests sent again to another backend after a connection failure. */
  retried: number;
  /** Requests that found no live backend (answered 502). */
  failed: number;
}

/**
 * A small round-robin HTTP load balancer on loopback, as a TLS-terminating balancer in front of
 * several instances would be: it adds X-Forwarded-For, names the backend that answered in
 * `x-balancer-backend`, takes a backend out when a connection to it fails, and sends the request to
 * the next one — every request, as its body is buffered first (the product's bodies are bounded and
 * its CardDAV methods are reads, so a resend is safe). The suite kills instances behind it.
 */
export class Balancer {
  readonly stats: BalancerStats = { served: new Map(), retried: 0, failed: 0 };
  private readonly down = new Set<string>();
  private next = 0;
  private server!: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  port = 0;

  constructor(private backends: Backend[]) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setBackends(backends: Backend[]): void {
    this.backends = backends;
    for (const b of backends) this.down.delete(b.name);
  }

  /** Puts a backend back in rotation (after a restart). */
  up(name: string): void {
    this.down.delete(name);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private pick(exclude: Set<string>): Backend | undefined {
    for (let i = 0; i < this.backends.length; i++) {
      const b = this.backends[this.next++ % this.backends.length]!;
      if (!this.down.has(b.name) && !exclude.has(b.name)) return b;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const tried = new Set<string>();
    for (;;) {
      const backend = this.pick(tried);
      if (!backend) {
        this.stats.failed++;
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no live backend');
        return;
      }
      tried.add(backend.name);
      const ok = await this.forward(backend, req, body, res);
      if (ok) return;
      // Connection refused or reset before any answer: the instance is gone; try the next one.
      this.down.add(backend.name);
      this.stats.retried++;
    }
  }

  private forward(backend: Backend, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1', 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const upstream = http.request({ host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers, agent: this.agent }, (up) => {
        this.stats.served.set(backend.name, (this.stats.served.get(backend.name) ?? 0) + 1);
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-balancer-backend': backend.name });
        up.pipe(res);
        // A backend dying mid-answer cuts the client's connection too: it sees an error and retries, as with a real balancer.
        up.on('error', () => res.destroy());
        up.on('end', () => resolve(true));
      });
      upstream.on('error', () => {
        if (res.headersSent) {
          res.destroy();
          resolve(true);
        } else resolve(false);
      });
      upstream.end(body);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

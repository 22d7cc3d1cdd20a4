import http from 'node:http';

export interface RawAnswer {
  /** undefined when the connection ended without a response. */
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  text: string;
  error?: string;
  ms: number;
}

/**
 * One HTTP request with full control of what goes on the wire (no Content-Length with `chunks`,
 * any header, bodies fetch would refuse), answered as soon as the server answers: a server may
 * refuse a body it has not finished receiving (413) and close. Bounded by `timeoutMs`.
 */
export function rawRequest(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string; chunks?: Iterable<Buffer>; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<RawAnswer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, ms: Math.round(performance.now() - started) });
    };
    const req = http.request({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers: { connection: 'close', ...options.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: err.message }));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error('timed out'));
      done({ status: undefined, headers: {}, text: '', error: `no answer within ${options.timeoutMs ?? 30_000} ms` });
    }, options.timeoutMs ?? 30_000);
    // Writing after the server answered and closed fails with EPIPE/ECONNRESET: the answer is what counts.
    req.on('error', (err) => setTimeout(() => done({ status: undefined, headers: {}, text: '', error: err.message }), 200));
    if (options.chunks) {
      void (async () => {
        for (const c of options.chunks!) {
          if (req.destroyed || settled) return;
          if (!req.write(c)) await new Promise<void>((r) => req.once('drain', r).once('close', r));
        }
        req.end();
      })();
    } else {
      req.end(options.body);
    }
  });
}

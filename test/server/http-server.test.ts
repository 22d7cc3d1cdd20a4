import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { listen } from '../../src/server/http-server.js';

function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new connections, and does not wait on idle keep-alive sockets', async () => {
    const server = await listen(
      (req, res) => {
        const delay = req.url === '/slow' ? 400 : 0;
        setTimeout(() => res.end(`done ${req.url}`), delay);
      },
      { host: '127.0.0.1', port: 0 },
    );
    const keepAlive = new http.Agent({ keepAlive: true });
    await get(server.port, '/warm', keepAlive); // leaves an idle keep-alive socket open

    const inFlight = get(server.port, '/slow');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const closed = server.close(10_000);

    expect(await inFlight).toEqual({ status: 200, body: 'done /slow' });
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(get(server.port, '/after')).rejects.toThrow(/ECONNREFUSED/);
    keepAlive.destroy();
  });

  it('drops a request that outlives the grace period', async () => {
    const server = await listen(() => {/* never answers */}, { host: '127.0.0.1', port: 0 });
    const hanging = get(server.port, '/hang');
    await new Promise((r) => setTimeout(r, 50));
    await server.close(200);
    await expect(hanging).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});

import type { RequestListener } from 'node:http';
import { listen } from '../../src/server/http-server.js';

/** Parses a JSON response body for assertions (its shape is what the test checks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonBody(res: { json(): Promise<unknown> }): Promise<any> {
  return res.json();
}

/** Serves a request handler on a free loopback port with the project's own listener; http only. */
export async function serveForTest(handler: RequestListener): Promise<{ base: string; close: () => Promise<void> }> {
  const server = await listen(handler, { host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${server.port}`, close: () => server.close(0) };
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultSwitches } from '../../src/dev-tenant/faults.js';
import { addUser, json, startGraph, type GraphHarness } from './graph-harness.js';

/** A scripted RNG: returns the given values in turn, then 0.99 (no fault). */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0.99;
}

describe('dev Graph: fault switches', () => {
  let g: GraphHarness;
  let token: string;
  const rolls: number[] = [];

  beforeAll(async () => {
    g = await startGraph({ random: () => rolls.shift() ?? 0.99 });
    const alice = addUser(g.directory, 'Alice Adams');
    token = await g.token({ user: alice, scopes: ['User.Read'] });
  });
  afterAll(() => g.close());
  beforeEach(() => {
    g.faults.reset();
    rolls.length = 0;
  });

  it('next-N throttling answers 429 with Retry-After and Graph throttling headers, then recovers (throttling)', async () => {
    g.faults.replace({ throttle: { next: 2, retryAfterSeconds: 0.05 } });
    for (let i = 0; i < 2; i++) {
      const res = await g.fetch('/me', { token });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('0.05');
      expect(res.headers.get('x-ms-throttle-scope')).toMatch(/^Tenant_Application\/ReadWrite\/.+\/.+$/);
      expect((await json(res)).error.code).toBe('TooManyRequests');
    }
    expect((await g.fetch('/me', { token })).status).toBe(200);
  });

  it('the Graph SDK retry handler honours a fractional Retry-After and succeeds after throttling (throttling: Retry-After may be fractional)', async () => {
    g.faults.replace({ throttle: { next: 2, retryAfterSeconds: 0.05 } });
    const started = Date.now();
    const me = await g.sdk(token).api('/me').get();
    expect(me.displayName).toBe('Alice Adams');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(g.faults.settings.throttle.next).toBe(0);
  });

  it('a throttle rate uses the injected RNG: a roll under the rate throttles, one above does not', async () => {
    g.faults.replace({ throttle: { rate: 0.5, retryAfterSeconds: 1 } });
    rolls.push(0.4, 0.6);
    expect((await g.fetch('/me', { token })).status).toBe(429);
    expect((await g.fetch('/me', { token })).status).toBe(200);
  });

  it('503 Service Unavailable with Retry-After, next-N (errors page: serviceNotAvailable)', async () => {
    g.faults.replace({ unavailable: { next: 1, retryAfterSeconds: 3 } });
    const res = await g.fetch('/me', { token });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await json(res)).error.code).toBe('serviceNotAvailable');
    expect((await g.fetch('/me', { token })).status).toBe(200);
  });

  it('a connection reset drops the socket without a response', async () => {
    g.faults.replace({ reset: { next: 1 } });
    await expect(g.fetch('/me', { token })).rejects.toThrow();
    expect((await g.fetch('/me', { token })).status).toBe(200);
  });

  it('added latency delays every Graph response', async () => {
    g.faults.replace({ latencyMs: 150 });
    const started = Date.now();
    expect((await g.fetch('/me', { token })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('unauthenticated requests are not throttled: Graph throttles per app and tenant', async () => {
    g.faults.replace({ throttle: { next: 1 } });
    expect((await g.fetch('/me')).status).toBe(401);
    expect(g.faults.settings.throttle.next).toBe(1);
  });

  it('GET /_dev/faults shows the settings, PUT replaces them, DELETE resets them', async () => {
    const put = await g.fetch('/_dev/faults', { method: 'PUT', body: { latencyMs: 5, unavailable: { rate: 0.25 } } });
    expect(put.status).toBe(200);
    const shown = await json(await g.fetch('/_dev/faults'));
    expect(shown).toMatchObject({ latencyMs: 5, unavailable: { rate: 0.25, next: 0, retryAfterSeconds: 1 }, throttle: { rate: 0, next: 0 } });
    expect((await g.fetch('/_dev/faults', { method: 'DELETE' })).status).toBe(204);
    expect(g.faults.settings.latencyMs).toBe(0);
  });

  it('PUT /_dev/faults with invalid settings is 400 and changes nothing', async () => {
    g.faults.replace({ latencyMs: 7 });
    for (const body of [{ throttle: { rate: 2 } }, { latencyMs: -1 }, { surprise: true }, { deltaTokens: { expireIssuedBefore: 'yesterday' } }]) {
      const res = await g.fetch('/_dev/faults', { method: 'PUT', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.code).toBe('BadRequest');
    }
    expect(g.faults.settings.latencyMs).toBe(7);
  });

  it("expireIssuedBefore: 'now' is resolved to an instant when the settings are stored", () => {
    const faults = new FaultSwitches({ now: () => Date.parse('2025-01-02T03:04:05.000Z'), random: scripted([]) });
    faults.replace({ deltaTokens: { expireIssuedBefore: 'now' } });
    expect(faults.settings.deltaTokens.expireIssuedBefore).toBe('2025-01-02T03:04:05.000Z');
    expect(faults.expiresDeltaToken(Date.parse('2025-01-01T00:00:00.000Z'))).toBe(true);
    expect(faults.expiresDeltaToken(Date.parse('2025-01-03T00:00:00.000Z'))).toBe(false);
  });
});

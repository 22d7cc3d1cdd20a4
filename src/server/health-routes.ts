import { Router } from 'express';
import type { Store } from '../store/store.js';

/**
 * `/healthz`: the process is alive (no dependencies checked, so an orchestrator never restarts us for
 * a database outage). `/readyz`: the store answers and every migration is applied, so a load balancer
 * only routes to instances that can serve.
 */
export function healthRoutes(deps: { store: Pick<Store, 'ping' | 'migrationStatus' | 'kind'>; version: string; startedAt: number }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.version, uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000) });
  });
  router.get('/readyz', async (req, res) => {
    const store: { kind: string; reachable: boolean; error?: string } = { kind: deps.store.kind, reachable: false };
    let migrations: { applied: number; pending: string[] } | undefined;
    try {
      await deps.store.ping();
      store.reachable = true;
      const status = await deps.store.migrationStatus();
      migrations = { applied: status.applied.length, pending: status.pending };
    } catch (err) {
      req.log.warn({ err }, 'readiness check failed');
      store.error = 'store unreachable';
    }
    const ready = store.reachable && migrations !== undefined && migrations.pending.length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', store, migrations });
  });
  return router;
}

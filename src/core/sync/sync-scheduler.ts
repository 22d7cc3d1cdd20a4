import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { SyncRepository } from '../../store/sync-repository.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { SyncRunner } from './sync-runner.js';

export interface SchedulerDeps {
  runner: Pick<SyncRunner, 'run'>;
  store: Store;
  cipher: FieldCipher;
  intervalMs: number;
  logger: Logger;
}

/**
 * Runs a delta round for every consented tenant every interval (default 15 minutes). Several
 * instances may run one each: the tenant lock lets one sync at a time, and a tenant whose last round
 * finished within half an interval is skipped, so rounds do not repeat back to back.
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  start(firstDelayMs = 5_000): void {
    this.schedule(firstDelayMs);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => this.schedule(this.deps.intervalMs));
    }, delay);
    this.timer.unref();
  }

  /** One pass over the tenants; exposed for tests and for `switchboard sync run --all`. */
  async tick(): Promise<void> {
    const runs = new SyncRepository(this.deps.store.db, this.deps.cipher);
    for (const tenant of await this.deps.store.tenants.list()) {
      if (this.stopped) return;
      if (tenant.consentState !== 'granted') continue;
      const [last] = await runs.recentRuns(tenant.id, 1);
      if (last?.finished_at && last.status === 'succeeded' && Date.now() - last.finished_at < this.deps.intervalMs / 2) continue;
      try {
        await this.deps.runner.run(tenant.id, 'schedule');
      } catch (err) {
        this.deps.logger.error({ err, tenantId: tenant.id }, 'scheduled sync failed');
      }
    }
  }

  /** Stops scheduling and waits for a pass in progress (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }
}

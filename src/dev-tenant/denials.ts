import express, { type Router } from 'express';

/**
 * One refused Graph request. A test run reads these to prove the app asked for nothing beyond the
 * permissions it declares: an empty log after a full run means every call was allowed.
 */
export interface Denial {
  time: string;
  status: 401 | 403;
  tenantId: string | null;
  appId: string | null;
  userId: string | null;
  method: string;
  path: string;
  /** Why: `missing-token`, `expired-token`, `invalid-token`, `unknown-tenant` or `insufficient-privileges`. */
  reason: string;
  /** Any one of these sets would have been enough; each set's permissions are needed together. */
  required: string[][];
  /** What the token carried: `scp` for delegated tokens, `roles` for application tokens. */
  granted: string[];
}

/** Newest entries are kept when the log is full, so a long-running stand-in cannot grow without bound. */
const DEFAULT_CAPACITY = 10_000;

export class DenialLog {
  private entries: Denial[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  record(denial: Omit<Denial, 'time'>): Denial {
    const entry: Denial = { time: new Date(this.now()).toISOString(), ...denial };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return entry;
  }

  /** Oldest first. */
  list(): Denial[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}

/** `GET` lists the denials (oldest first), `DELETE` clears them. Mounted at `/_dev/denials`. */
export function denialRoutes(log: DenialLog): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({ value: log.list() });
  });
  router.delete('/', (_req, res) => {
    log.clear();
    res.status(204).end();
  });
  return router;
}

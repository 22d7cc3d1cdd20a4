import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';

/**
 * Fault switches for tests and demos: the failures a Graph client meets in production (throttling,
 * outages, slow or dropped connections, expired delta tokens, replication lag), on demand. Random
 * choices go through an injectable RNG, and every fault can also fire deterministically for the next
 * N requests, so tests never depend on luck.
 */

const rate = z.number().min(0).max(1).default(0);
const next = z.int().min(0).max(1_000_000).default(0);
/** Graph may send a fractional Retry-After (FIELD-NOTES), so seconds are not rounded. */
const retryAfterSeconds = z.number().min(0).max(3600).default(1);

export const faultSettingsSchema = z.strictObject({
  /** 429 Too Many Requests with Retry-After. */
  throttle: z.strictObject({ rate, next, retryAfterSeconds }).prefault({}),
  /** 503 Service Unavailable with Retry-After. */
  unavailable: z.strictObject({ rate, next, retryAfterSeconds }).prefault({}),
  /** The TCP connection is destroyed without a response. */
  reset: z.strictObject({ rate, next }).prefault({}),
  latencyMs: z.int().min(0).max(60_000).default(0),
  /** Delta queries see only changes older than this (Graph documents replication delays). */
  replicationLagMs: z.int().min(0).max(86_400_000).default(0),
  deltaTokens: z
    .strictObject({
      /** Delta and skip tokens issued before this instant are expired; `now` is resolved on PUT. */
      expireIssuedBefore: z.union([z.literal('now'), z.iso.datetime(), z.null()]).default(null),
      /**
       * `syncStateNotFound`: 400, what Graph answers for an expired directory-object token.
       * `resyncRequired`: 410 Gone with a Location to restart, Graph's "synchronization reset".
       */
      response: z.enum(['syncStateNotFound', 'resyncRequired']).default('syncStateNotFound'),
    })
    .prefault({}),
});

export type FaultSettings = z.output<typeof faultSettingsSchema> & { deltaTokens: { expireIssuedBefore: string | null } };

/** A fault chosen for one request: the responder turns it into the service's own error shape. */
export interface InjectedFault {
  status: 429 | 503;
  retryAfterSeconds: number;
}

/** Which faults a request is exposed to: batch items take service faults, the envelope transport faults. */
export interface FaultExposure {
  transport: boolean;
  service: boolean;
}

export class FaultSwitches {
  private current: FaultSettings;

  constructor(private readonly options: { random?: () => number; now?: () => number } = {}) {
    this.current = this.parse({});
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  /** A copy of the settings; `next` counters show what is left. */
  get settings(): FaultSettings {
    return structuredClone(this.current);
  }

  /** Validates and replaces every setting (missing ones take their defaults); throws a ZodError. */
  replace(input: unknown): FaultSettings {
    this.current = this.parse(input);
    return this.settings;
  }

  reset(): void {
    this.current = this.parse({});
  }

  get replicationLagMs(): number {
    return this.current.replicationLagMs;
  }

  get deltaExpiryResponse(): 'syncStateNotFound' | 'resyncRequired' {
    return this.current.deltaTokens.response;
  }

  /** Whether the expiry switch covers a token issued at `issuedAt` (epoch ms). */
  expiresDeltaToken(issuedAt: number): boolean {
    const before = this.current.deltaTokens.expireIssuedBefore;
    return before !== null && issuedAt < Date.parse(before);
  }

  /** Decides the faults of one request; consumes `next` counters. */
  decide(exposure: FaultExposure = { transport: true, service: true }): { latencyMs: number; reset: boolean; fault?: InjectedFault } {
    const s = this.current;
    const latencyMs = exposure.transport ? s.latencyMs : 0;
    if (exposure.transport && this.fires(s.reset)) return { latencyMs, reset: true };
    if (!exposure.service) return { latencyMs, reset: false };
    if (this.fires(s.throttle)) return { latencyMs, reset: false, fault: { status: 429, retryAfterSeconds: s.throttle.retryAfterSeconds } };
    if (this.fires(s.unavailable)) return { latencyMs, reset: false, fault: { status: 503, retryAfterSeconds: s.unavailable.retryAfterSeconds } };
    return { latencyMs, reset: false };
  }

  /**
   * Express middleware applying the switches. `respond` renders a 429/503 in the service's error
   * shape; `exposure` says which faults a request may get (default: all).
   */
  middleware(options: {
    respond: (req: Request, res: Response, fault: InjectedFault) => void;
    exposure?: (req: Request, res: Response) => FaultExposure;
  }): RequestHandler {
    return async (req, res, nextHandler) => {
      const decision = this.decide(options.exposure?.(req, res));
      if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
      if (decision.reset) {
        // What a dropped connection looks like to a client: no status, no body, ECONNRESET.
        req.socket.destroy();
        return;
      }
      if (decision.fault) {
        options.respond(req, res, decision.fault);
        return;
      }
      nextHandler();
    };
  }

  private fires(f: { rate: number; next: number }): boolean {
    if (f.next > 0) {
      f.next -= 1;
      return true;
    }
    return f.rate > 0 && this.random() < f.rate;
  }

  private parse(input: unknown): FaultSettings {
    const parsed = faultSettingsSchema.parse(input);
    const before = parsed.deltaTokens.expireIssuedBefore;
    return {
      ...parsed,
      deltaTokens: { ...parsed.deltaTokens, expireIssuedBefore: before === 'now' ? new Date(this.now).toISOString() : before },
    };
  }
}

/** The control API, mounted at `/_dev/faults`: GET the settings, PUT replaces them, DELETE resets. */
export function faultRoutes(faults: FaultSwitches): Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/', (_req, res) => {
    res.json(faults.settings);
  });
  router.put('/', (req, res) => {
    const result = faultSettingsSchema.safeParse(req.body ?? {});
    if (!result.success) {
      res.status(400).json({ error: { code: 'BadRequest', message: z.prettifyError(result.error), issues: result.error.issues } });
      return;
    }
    res.json(faults.replace(req.body ?? {}));
  });
  router.delete('/', (_req, res) => {
    faults.reset();
    res.status(204).end();
  });
  return router;
}

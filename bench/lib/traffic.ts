import { performance } from 'node:perf_hooks';
import type { MemoryFigures, TrafficFigures, TrafficKind } from './ingest-protocol.js';

function kindOf(url: string): TrafficKind {
  const path = new URL(url).pathname;
  if (path.endsWith('/users/delta')) return 'users-delta';
  if (path.endsWith('/groups/delta')) return 'groups-delta';
  if (path.endsWith('/$batch')) return 'batch';
  return 'other';
}

/** The photo checks of a round: first `$batch` sent to last answered, ms after the round started. */
export function photoChecks(traffic: TrafficFigures): { startMs: number; endMs: number } | undefined {
  const { firstSentMs, lastAnsweredMs } = traffic.byKind.batch;
  return firstSentMs === undefined || lastAnsweredMs === undefined ? undefined : { startMs: firstSentMs, endMs: lastAnsweredMs };
}

/**
 * Watches the Graph SDK's transport: the client sends through the global `fetch` (looked up at call
 * time), so wrapping it sees every attempt without touching the SDK or src/. Only URLs under the
 * Graph base are counted; msal's token requests go through `https`, not here.
 */
export class TrafficRecorder {
  private started = 0;
  private cpuAtStart = process.cpuUsage();
  private cpuBeforePhotos: NodeJS.CpuUsage | undefined;
  private figures: TrafficFigures = emptyTraffic();

  constructor(graphBaseUrl: string) {
    const original = globalThis.fetch;
    const base = graphBaseUrl.replace(/\/+$/, '');
    globalThis.fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(base)) return original(input, init);
      const sent = performance.now();
      const kind = kindOf(url);
      if (kind === 'batch') this.cpuBeforePhotos ??= process.cpuUsage(this.cpuAtStart);
      const response = await original(input, init);
      const answered = performance.now();
      const entry = this.figures.byKind[kind];
      entry.requests++;
      entry.ms += answered - sent;
      entry.firstSentMs ??= sent - this.started;
      entry.lastAnsweredMs = answered - this.started;
      return response;
    };
  }

  /** Starts a measured step: counters from zero, times relative to now. */
  start(): void {
    this.started = performance.now();
    this.cpuAtStart = process.cpuUsage();
    this.cpuBeforePhotos = undefined;
    this.figures = emptyTraffic();
  }

  stop(): TrafficFigures {
    const { byKind } = this.figures;
    const round = (n: number) => Math.round(n);
    const cpu = this.cpuBeforePhotos ?? process.cpuUsage(this.cpuAtStart);
    return {
      cpuBeforePhotosMs: round((cpu.user + cpu.system) / 1000),
      byKind: Object.fromEntries(
        Object.entries(byKind).map(([k, v]) => [
          k,
          {
            requests: v.requests,
            ms: round(v.ms),
            ...(v.firstSentMs === undefined ? {} : { firstSentMs: round(v.firstSentMs) }),
            ...(v.lastAnsweredMs === undefined ? {} : { lastAnsweredMs: round(v.lastAnsweredMs) }),
          },
        ]),
      ) as TrafficFigures['byKind'],
    };
  }
}

function emptyTraffic(): TrafficFigures {
  const zero = (): TrafficFigures['byKind'][TrafficKind] => ({ requests: 0, ms: 0 });
  return { byKind: { 'users-delta': zero(), 'groups-delta': zero(), batch: zero(), other: zero() }, cpuBeforePhotosMs: 0 };
}

const MB = 1024 * 1024;

/** Samples RSS and heap every 100 ms during a measured step. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private samples: { t: number; rss: number; heap: number }[] = [];
  private started = 0;

  start(): void {
    this.started = performance.now();
    this.samples = [];
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  /** `splitAtMs`: where the photo checks began (ms after start), to report each part's peak. */
  stop(splitAtMs?: number): MemoryFigures {
    clearInterval(this.timer);
    this.sample();
    const peak = (list: { rss: number }[]) => Math.round(Math.max(0, ...list.map((s) => s.rss)) / MB);
    const before = splitAtMs === undefined ? this.samples : this.samples.filter((s) => s.t < splitAtMs);
    const after = splitAtMs === undefined ? undefined : this.samples.filter((s) => s.t >= splitAtMs);
    return {
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      sampledPeakRssMB: { beforePhotos: peak(before), ...(after ? { photos: peak(after) } : {}) },
      peakHeapMB: Math.round(Math.max(0, ...this.samples.map((s) => s.heap)) / MB),
    };
  }

  private sample(): void {
    const m = process.memoryUsage();
    this.samples.push({ t: performance.now() - this.started, rss: m.rss, heap: m.heapUsed });
  }
}

/**
 * Bounded request bodies and streamed response bodies for DAV (https://www.rfc-editor.org/rfc/rfc9110).
 *
 * Bodies are read here rather than by express's parsers: DAV needs raw bytes (the XML layer checks
 * the encoding itself) and a limit that depends on the method, since a multiget REPORT from
 * Thunderbird or vdirsyncer carries every href of the book (about 800 KB for 10,000 cards) while a
 * PROPFIND is a few hundred bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import { DavError } from './dav-error.js';

export interface BodyLimits {
  /** REPORT bodies: multigets of whole books. */
  report: number;
  /** Every other method: PROPFIND and the like. */
  other: number;
}

// Thunderbird and vdirsyncer multiget a whole book in one REPORT: about 85 bytes per card, so a
// 100k-card book (the largest tenant Switchboard is built for) needs some 9 MB. Bodies are read only
// after the device's credentials are checked.
export const DEFAULT_BODY_LIMITS: BodyLimits = { report: 32 * 1024 * 1024, other: 256 * 1024 };

/** Reads the whole body, refusing it (413) as soon as it is known to exceed `limit`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new DavError(415, `Request bodies with Content-Encoding "${encoding}" are not accepted.`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the connection is closed after the answer, so the rest is never buffered.
      req.pause();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): DavError {
  return new DavError(413, `The request body exceeds ${Math.round(limit / 1024)} KB.`, { headers: { Connection: 'close' } });
}

/**
 * A response body written piece by piece. Small strings are gathered into chunks of about 64 KB;
 * each write waits when the socket (or the gzip stream) is full, so a 10,000-card answer never sits
 * in memory whole and a slow client slows the server down instead of filling its heap.
 */
export class ResponseSink {
  private buffer: string[] = [];
  private size = 0;
  private readonly out: ServerResponse | Gzip;

  constructor(
    private readonly res: ServerResponse,
    gzip: boolean,
  ) {
    if (gzip) {
      // Fastest level: the multistatus text compresses several times over even so, and the CPU
      // cost stays small next to building the cards.
      const z = createGzip({ level: zlibConstants.Z_BEST_SPEED });
      z.pipe(res);
      this.out = z;
    } else {
      this.out = res;
    }
  }

  async write(s: string): Promise<void> {
    this.buffer.push(s);
    this.size += s.length;
    if (this.size >= 64 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (this.res.destroyed) throw new Error('client went away');
    if (!this.out.write(chunk)) await waitForDrain(this.out, this.res);
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => {
      if (this.out === this.res) this.res.end(resolve);
      else {
        this.res.once('finish', resolve);
        this.res.once('close', resolve);
        this.out.end();
      }
    });
  }
}

function waitForDrain(out: NodeJS.WritableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      out.off('drain', done);
      res.off('close', gone);
      resolve();
    };
    const gone = () => {
      out.off('drain', done);
      reject(new Error('client went away'));
    };
    out.once('drain', done);
    res.once('close', gone);
  });
}

/** Whether the client takes gzip (every DAV client we know does: Thunderbird, DAVx5, iOS, aiohttp). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'];
  if (typeof accept !== 'string') return false;
  return accept.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    return coding === 'gzip' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

import { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { GraphServices } from './graph-context.js';
import { errorBody, GraphError } from './graph-errors.js';
import { sendOData } from './odata-response.js';

/**
 * `POST /$batch` (https://learn.microsoft.com/graph/json-batching): at most 20 requests with unique
 * ids and relative URLs, each dispatched through this same router with the batch's Authorization, so
 * each is authenticated, authorized and throttled on its own. `dependsOn` orders requests; a request
 * whose dependency failed gets 424 Failed Dependency.
 */

export const MAX_BATCH = 20;

const itemSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  method: z.string().min(1),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  dependsOn: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
type Item = z.output<typeof itemSchema>;

interface ItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Marks a request as a batch item, so faults treat it as one service call, not a connection. */
export function isBatchItem(res: Response): boolean {
  return res.locals.batchItem === true;
}

export function batchHandler(svc: GraphServices, router: Router): RequestHandler {
  return async (req, res) => {
    const items = validate(req.body);
    const results = new Map<string, Promise<ItemResponse>>();
    const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
    const run = (item: Item): Promise<ItemResponse> => {
      const key = item.id.toLowerCase();
      let result = results.get(key);
      if (!result) {
        result = (async () => {
          const deps = await Promise.all((item.dependsOn ?? []).map((d) => run(byId.get(d.toLowerCase())!)));
          if (deps.some((d) => d.status >= 400)) {
            return { id: item.id, status: 424, headers: { 'Content-Type': 'application/json' }, body: errorBody(res, 'FailedDependency', 'The request depends on a request that failed.', svc.now()) };
          }
          return { id: item.id, ...(await dispatch(router, req, item)) };
        })();
        results.set(key, result);
      }
      return result;
    };
    const responses = await Promise.all(items.map(run));
    sendOData(res, { responses });
  };
}

function validate(body: unknown): Item[] {
  const parsed = z.object({ requests: z.array(itemSchema) }).safeParse(body);
  if (!parsed.success) throw new GraphError(400, 'BadRequest', `Invalid batch payload format: ${z.prettifyError(parsed.error)}`);
  const items = parsed.data.requests;
  if (items.length === 0) throw new GraphError(400, 'BadRequest', 'Invalid batch payload format: the batch contains no requests.');
  if (items.length > MAX_BATCH) throw new GraphError(400, 'BadRequest', `Invalid batch payload format: a batch holds at most ${MAX_BATCH} requests, this one has ${items.length}.`);
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id.toLowerCase())) throw new GraphError(400, 'BadRequest', `Invalid batch payload format: request id '${item.id}' is used more than once.`);
    ids.add(item.id.toLowerCase());
    if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) throw new GraphError(400, 'BadRequest', `Invalid batch payload format: request '${item.id}' must use a relative URL such as /users.`);
    if (item.body !== undefined && !Object.keys(item.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
      throw new GraphError(400, 'BadRequest', `Invalid batch payload format: request '${item.id}' has a body but no Content-Type header.`);
    }
  }
  for (const item of items) {
    for (const dep of item.dependsOn ?? []) {
      if (!ids.has(dep.toLowerCase())) throw new GraphError(400, 'BadRequest', `Invalid batch payload format: request '${item.id}' depends on unknown request '${dep}'.`);
    }
  }
  assertAcyclic(items);
  return items;
}

function assertAcyclic(items: Item[]): void {
  const deps = new Map(items.map((i) => [i.id.toLowerCase(), (i.dependsOn ?? []).map((d) => d.toLowerCase())]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new GraphError(400, 'BadRequest', `Invalid batch payload format: dependsOn forms a cycle through request '${id}'.`);
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) visit(d);
    state.set(id, 'done');
  };
  for (const id of deps.keys()) visit(id);
}

/**
 * Runs one item through the router in-process: a real IncomingMessage/ServerResponse pair given
 * express's prototypes (as express does for every request), with the response body captured.
 */
function dispatch(router: Router, outer: Request, item: Item): Promise<Omit<ItemResponse, 'id'>> {
  // The SDK's BatchRequestContent keeps the version segment ("/v1.0/me"); it names this service root.
  const url = `/${item.url.replace(/^\/+/, '')}`.replace(/^\/v1\.0(?=[/?]|$)/i, '') || '/';
  if (/^\/\$batch\b/i.test(url)) return Promise.resolve({ status: 400, headers: {}, body: { error: { code: 'BadRequest', message: 'A batch cannot contain another batch.' } } });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(item.headers ?? {})) headers[k.toLowerCase()] = v;
  const authorization = outer.get('authorization');
  if (authorization) headers.authorization = authorization;
  const req = new IncomingMessage(undefined as never) as Request;
  Object.assign(req, { method: item.method.toUpperCase(), url, originalUrl: `${outer.baseUrl}${url}`, headers, httpVersionMajor: 1, httpVersionMinor: 1, httpVersion: '1.1' });
  if (item.body !== undefined) req.body = item.body;
  const res = new ServerResponse(req) as Response;
  Object.setPrototypeOf(req, Object.getPrototypeOf(outer));
  Object.setPrototypeOf(res, Object.getPrototypeOf(outer.res!));
  Object.assign(req, { res });
  res.locals = { batchItem: true };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    res.write = ((chunk: unknown, encoding?: unknown) => (keep(chunk, encoding), true)) as Response['write'];
    res.end = ((chunk?: unknown, encoding?: unknown) => {
      keep(chunk, encoding);
      resolve(captured(res, Buffer.concat(chunks)));
      return res;
    }) as Response['end'];
    router(req, res, (err?: unknown) => resolve({ status: err ? 500 : 404, headers: {}, body: { error: { code: err ? 'generalException' : 'BadRequest', message: 'Unhandled batch request.' } } }));
  });
}

function captured(res: Response, bytes: Buffer): Omit<ItemResponse, 'id'> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.getHeaders())) {
    if (v !== undefined && k !== 'content-length' && k !== 'x-powered-by') headers[canonical(k)] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  const type = String(res.getHeader('content-type') ?? '');
  let body: unknown;
  if (bytes.length === 0) body = undefined;
  else if (type.includes('json')) body = JSON.parse(bytes.toString('utf8'));
  else if (type.startsWith('text/')) body = bytes.toString('utf8');
  // Binary bodies (photos) travel base64-encoded, as the batching page describes for images.
  else body = bytes.toString('base64');
  return { status: res.statusCode, headers, ...(body === undefined ? {} : { body }) };
}

/** `content-type` → `Content-Type`, as Graph spells headers in batch responses. */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

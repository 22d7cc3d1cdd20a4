/**
 * The DAV server core: a registry that plugins fill with method handlers, reports and properties,
 * and the dispatch of one request to them. It knows WebDAV's shapes (resources, properties,
 * multistatus responses) but no protocol on top: CardDAV, sync and ACL behaviour all come from
 * plugins, the way sabre/dav's `Server` only knows `ServerPlugin` (lib/DAV/ServerPlugin.php).
 */
import type { Request, Response } from 'express';
import type { Logger } from '../log/logger.js';
import type { DevicePrincipal } from '../devices/device-principal.js';
import { DavError } from './dav-error.js';
import type { ResponseSink } from './http-io.js';
import { propstatXml, type Propstat } from './multistatus.js';
import { clark, element, type QName, type XmlElement } from './xml.js';

/**
 * A node of the DAV tree. Optional members are capabilities: a resource with `etag` has a
 * getetag, one with `members` can be listed at Depth 1, and so on. Protocol modules define richer
 * capability interfaces (AddressBookCollection, SyncCollection) and test for them.
 */
export interface DavResource {
  /** Canonical absolute path, percent-encoded; collections end in "/". */
  readonly href: string;
  readonly collection: boolean;
  /** Elements of DAV:resourcetype (empty for a plain resource). */
  readonly resourceTypes: readonly QName[];
  readonly etag?: string;
  readonly contentType?: string;
  displayName?(): Promise<string | undefined>;
  /** Depth: 1 — the members, a page at a time. */
  members?(): AsyncIterable<DavResource[]>;
  /** GET — the representation, with the ETag it is served under. */
  read?(): Promise<{ body: string; contentType: string; etag?: string }>;
}

/** The request as handlers see it. */
export interface DavContext {
  readonly req: Request;
  readonly res: Response;
  readonly method: string;
  /** Decoded absolute path of the request. */
  readonly path: string;
  readonly principal: DevicePrincipal;
  /** Where the principal's own resources live (RFC 5397 current-user-principal and the home set). */
  readonly principalHref: string;
  readonly homeHref: string;
  readonly log: Logger;
  /** The resource at the request path; throws 404 when there is none. */
  target(): Promise<DavResource>;
  /** The request body (bounded by the method's limit). */
  body(): Promise<Buffer>;
  /** The parsed XML body, or undefined when it is empty. */
  xml(): Promise<XmlElement | undefined>;
  /** A streamed response body (gzip when the client takes it). */
  stream(status: number, contentType: string): ResponseSink;
}

export type MethodHandler = (ctx: DavContext) => Promise<void>;
export type ReportHandler = (ctx: DavContext, resource: DavResource, body: XmlElement) => Promise<void>;

/** A property a plugin serves. */
export interface PropertyDefinition {
  name: QName;
  /**
   * The property's inner XML on this resource, or undefined when the resource has no such property
   * (it is then reported in a 404 propstat). `request` is the element the client asked with, for
   * properties that take parameters (CARDDAV:address-data).
   */
  get(resource: DavResource, ctx: DavContext, request: XmlElement | undefined): string | undefined | Promise<string | undefined>;
  /** Included in allprop answers (RFC 4918 §9.1 lets a server leave computed properties out). */
  allprop?: boolean;
}

/** What a PROPFIND or REPORT asked for. */
export type PropRequest = { kind: 'prop'; props: XmlElement[] } | { kind: 'allprop'; include: XmlElement[] } | { kind: 'propname' };

/** A DAV plugin: registers its handlers in `initialize`, like sabre's ServerPlugin. */
export interface DavPlugin {
  readonly name: string;
  initialize(server: DavServer): void;
  /** Compliance classes for the DAV header (RFC 4918 §10.1), e.g. "1", "addressbook". */
  getFeatures?(): string[];
  /** Reports this plugin answers on the resource (for DAV:supported-report-set). */
  getSupportedReports?(resource: DavResource): QName[];
  /**
   * Called before properties of a page of resources are written: the place to load in one batch
   * what the properties will need (address data), instead of one read per resource.
   */
  preload?(resources: DavResource[], request: PropRequest, ctx: DavContext): Promise<void>;
}

interface PlannedProperty {
  def: PropertyDefinition | undefined;
  el: XmlElement | undefined;
  /** The element's start and end tags, and the element empty. */
  open: string;
  close: string;
  empty: string;
}

export class DavServer {
  private readonly plugins: DavPlugin[] = [];
  private readonly methods = new Map<string, MethodHandler>();
  private readonly advertised = new Set<string>();
  private readonly reports = new Map<string, ReportHandler>();
  private readonly properties = new Map<string, PropertyDefinition>();
  private readonly plans = new WeakMap<PropRequest, PlannedProperty[]>();

  addPlugin(plugin: DavPlugin): this {
    this.plugins.push(plugin);
    plugin.initialize(this);
    return this;
  }

  /** Registers a method; `advertised: false` keeps it out of Allow (methods that are always refused). */
  on(method: string, handler: MethodHandler, options: { advertised?: boolean } = {}): void {
    this.methods.set(method.toUpperCase(), handler);
    if (options.advertised !== false) this.advertised.add(method.toUpperCase());
  }

  onReport(name: QName, handler: ReportHandler): void {
    this.reports.set(clark(name), handler);
  }

  defineProperty(def: PropertyDefinition): void {
    this.properties.set(clark(def.name), def);
  }

  /** Methods answered, for the Allow header. */
  allowedMethods(): string[] {
    return ['OPTIONS', ...this.advertised].filter((m, i, all) => all.indexOf(m) === i);
  }

  features(): string[] {
    return [...new Set(this.plugins.flatMap((p) => p.getFeatures?.() ?? []))];
  }

  supportedReports(resource: DavResource): QName[] {
    return this.plugins.flatMap((p) => p.getSupportedReports?.(resource) ?? []);
  }

  report(name: QName): ReportHandler | undefined {
    return this.reports.get(clark(name));
  }

  async handle(ctx: DavContext): Promise<void> {
    const handler = this.methods.get(ctx.method);
    if (!handler) throw new DavError(405, `${ctx.method} is not supported here.`, { headers: { Allow: this.allowedMethods().join(', ') } });
    await handler(ctx);
  }

  async preload(resources: DavResource[], request: PropRequest, ctx: DavContext): Promise<void> {
    for (const p of this.plugins) await p.preload?.(resources, request, ctx);
  }

  /**
   * The propstats of one resource: found properties under 200 (first), the rest under 404. An array
   * when every getter answered at once, which is the common case; a promise from the first getter
   * that did not. A report asks this of thousands of cards, and each promise costs a turn of the
   * microtask queue.
   */
  propstats(resource: DavResource, request: PropRequest, ctx: DavContext): Propstat[] | Promise<Propstat[]> {
    if (request.kind === 'propname') return this.propnames(resource, ctx);
    const plan = this.plan(request);
    const found: string[] = [];
    const missing: string[] = [];
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      const value = p.def?.get(resource, ctx, p.el);
      if (value instanceof Promise) return this.propstatsFrom(plan, i, value, resource, request, ctx, found, missing);
      addProperty(p, value, request, found, missing);
    }
    return propstatList(found, missing);
  }

  private async propstatsFrom(plan: PlannedProperty[], i: number, pending: Promise<string | undefined>, resource: DavResource, request: PropRequest, ctx: DavContext, found: string[], missing: string[]): Promise<Propstat[]> {
    addProperty(plan[i]!, await pending, request, found, missing);
    for (const p of plan.slice(i + 1)) addProperty(p, await p.def?.get(resource, ctx, p.el), request, found, missing);
    return propstatList(found, missing);
  }

  private async propnames(resource: DavResource, ctx: DavContext): Promise<Propstat[]> {
    const found: string[] = [];
    for (const def of this.properties.values()) {
      if ((await def.get(resource, ctx, undefined)) !== undefined) found.push(element(def.name));
    }
    return [{ status: 200, props: found }];
  }

  /**
   * The properties a request asks for, each with its definition and its tags written out: made once
   * per request, since a report asks the same of every one of its thousands of resources.
   */
  private plan(request: Exclude<PropRequest, { kind: 'propname' }>): PlannedProperty[] {
    const known = this.plans.get(request);
    if (known) return known;
    const asked: { name: QName; el: XmlElement | undefined }[] = [];
    if (request.kind === 'allprop') {
      for (const def of this.properties.values()) if (def.allprop) asked.push({ name: def.name, el: undefined });
      for (const el of request.include) if (!asked.some((a) => clark(a.name) === clark(el))) asked.push({ name: el, el });
    } else {
      for (const el of request.props) asked.push({ name: { ns: el.ns, local: el.local }, el });
    }
    const plan = asked.map(({ name, el }) => {
      const [open, close] = element(name, '\u0000').split('\u0000') as [string, string];
      return { def: this.properties.get(clark(name)), el, open, close, empty: element(name) };
    });
    this.plans.set(request, plan);
    return plan;
  }

  /**
   * One `<d:response>` with the requested properties of a resource: a string when every property
   * answered at once (see propstats), so report loops await only when they must.
   */
  responseXml(resource: DavResource, request: PropRequest, ctx: DavContext): string | Promise<string> {
    const stats = this.propstats(resource, request, ctx);
    return stats instanceof Promise ? stats.then((s) => propstatXml(resource.href, s)) : propstatXml(resource.href, stats);
  }
}

function addProperty(p: PlannedProperty, value: string | undefined, request: PropRequest, found: string[], missing: string[]): void {
  if (value !== undefined) found.push(value === '' ? p.empty : `${p.open}${value}${p.close}`);
  // allprop leaves out what a resource does not have; an explicit request gets a 404 for it.
  else if (request.kind === 'prop' || p.el) missing.push(p.empty);
}

function propstatList(found: string[], missing: string[]): Propstat[] {
  const out: Propstat[] = [];
  if (found.length > 0 || missing.length === 0) out.push({ status: 200, props: found });
  if (missing.length > 0) out.push({ status: 404, props: missing });
  return out;
}

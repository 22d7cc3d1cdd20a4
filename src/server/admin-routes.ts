import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { auditPage } from '../core/admin/audit-view.js';
import { searchGroups } from '../core/admin/group-search.js';
import { policyForEditing, previewTenantPolicy } from '../core/admin/policy-admin.js';
import { startManualSync, SyncAlreadyRunning, syncHealth } from '../core/admin/sync-health.js';
import { PolicyError } from '../core/policy/policy.js';
import { PolicyConflict, savePolicy } from '../core/tenant-policy.js';
import type { DevicesModule } from '../devices/create-devices.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SyncCore } from '../sync-core.js';
import type { TabCaller } from './auth/tab-token-validator.js';
import { callerOf } from './auth/with-tab-auth.js';
import { HttpError } from './errors.js';
import type {
  AdminAuditResponse,
  AdminGroupsResponse,
  AdminPolicyPreview,
  AdminPolicyResponse,
  AdminPolicySaved,
  AdminSyncResponse,
  AdminSyncStarted,
} from './tab-api-types.js';

export interface AdminRoutesDeps {
  store: Store;
  syncCore: Pick<SyncCore, 'cipher' | 'tokens' | 'runner'>;
  devices: Pick<DevicesModule, 'service'>;
  logger: Logger;
}

/**
 * The admin APIs under /api/admin (mount behind withTabAuth). Every one is for tenant administrators
 * only — checked once, by the router's first middleware, so no route can forget it — and works on the
 * caller's tenant as the validated token names it, never one from the request. The work is in
 * src/core/admin; these handlers parse, call and answer.
 *
 * - `GET /admin/groups?search=&limit=` → AdminGroupsResponse
 * - `GET /admin/policy` → AdminPolicyResponse
 * - `PUT /admin/policy` `{ policy, version }` → AdminPolicySaved; 400 InvalidPolicy (+issues), 409 PolicyConflict
 * - `POST /admin/policy/preview` `{ policy }` → AdminPolicyPreview; 400 InvalidPolicy (+issues)
 * - `GET /admin/sync` → AdminSyncResponse
 * - `POST /admin/sync` → 202 AdminSyncStarted; 409 SyncRunning
 * - `GET /admin/audit?before=&limit=` → AdminAuditResponse
 *
 * Also 401 Unauthorized without a caller, 403 Forbidden for a caller who is not an administrator,
 * 400 BadRequest for a malformed query or body.
 */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const { store, syncCore } = deps;
  const data = { db: store.db, cipher: syncCore.cipher };
  const admin = Router();
  admin.use(requireAdmin);

  admin.get('/groups', async (req, res) => {
    const query = parse(groupsQuery, req.query, 'query');
    const body: AdminGroupsResponse = { groups: await searchGroups(data, caller(req).tenantId, query) };
    res.json(body);
  });

  admin.get('/policy', async (req, res) => {
    const body: AdminPolicyResponse = await policyForEditing(data, caller(req).tenantId);
    res.json(body);
  });

  admin.put('/policy', async (req, res) => {
    const { policy, version } = parse(saveBody, req.body, 'body');
    const who = caller(req);
    const saved = await policyErrors(() => savePolicy(data, who.tenantId, policy, version, { id: who.userId, name: who.name }));
    const body: AdminPolicySaved = { policy: saved.policy, version: saved.version, changes: saved.changes };
    res.json(body);
  });

  admin.post('/policy/preview', async (req, res) => {
    const { policy } = parse(previewBody, req.body, 'body');
    const body: AdminPolicyPreview = await policyErrors(() => previewTenantPolicy(data, caller(req).tenantId, policy));
    res.json(body);
  });

  admin.get('/sync', async (req, res) => {
    const body: AdminSyncResponse = await syncHealth(
      {
        ...data,
        tenants: store.tenants,
        syncAccount: (tenantId) => syncCore.tokens.syncAccount(tenantId),
        deviceCounts: (tenantId) => deps.devices.service.deviceCounts(tenantId),
      },
      caller(req).tenantId,
    );
    res.json(body);
  });

  admin.post('/sync', async (req, res) => {
    const who = caller(req);
    try {
      await startManualSync({ runner: syncCore.runner, audit: store.audit, logger: req.log ?? deps.logger }, who.tenantId, { id: who.userId, name: who.name });
    } catch (err) {
      if (err instanceof SyncAlreadyRunning) throw new HttpError(409, 'SyncRunning', err.message);
      throw err;
    }
    const body: AdminSyncStarted = { started: true };
    res.status(202).json(body);
  });

  admin.get('/audit', async (req, res) => {
    const query = parse(auditQuery, req.query, 'query');
    const body: AdminAuditResponse = await auditPage(store.audit, caller(req).tenantId, query);
    res.json(body);
  });

  const router = Router();
  router.use('/admin', admin);
  return router;
}

/** The one administrator check; also keeps admin answers out of every cache. */
const requireAdmin: RequestHandler = (req, res, next) => {
  const who = callerOf(req);
  if (!who) return next(new HttpError(401, 'Unauthorized', 'Sign in to Switchboard first.'));
  if (!who.isAdmin) return next(new HttpError(403, 'Forbidden', 'Only tenant administrators (Switchboard.Admin, Global or Teams Administrator) can use the admin settings.'));
  res.setHeader('Cache-Control', 'no-store');
  next();
};

function caller(req: Request): TabCaller {
  const who = callerOf(req);
  if (!who) throw new HttpError(401, 'Unauthorized', 'Sign in to Switchboard first.');
  return who;
}

/** Domain errors of a policy edit, as HTTP. */
async function policyErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PolicyError) throw new HttpError(400, 'InvalidPolicy', 'The policy has problems; each is listed in issues.', {}, err.issues);
    if (err instanceof PolicyConflict) throw new HttpError(409, 'PolicyConflict', err.message);
    throw err;
  }
}

// ---- request shapes

/** A whole number in a query string, within bounds. */
const intParam = (name: string, min: number, max: number, message = `${name} must be a whole number from ${min} to ${max}`) =>
  z
    .string({ error: `${name} must be given once` })
    .regex(/^\d{1,15}$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));

const groupsQuery = z.object({
  search: z.string({ error: 'search must be given once' }).max(200, 'search must be at most 200 characters').default(''),
  limit: intParam('limit', 1, 200).default(50),
});

const auditQuery = z.object({
  before: intParam('before', 1, Number.MAX_SAFE_INTEGER, 'before must be an audit entry id (nextBefore of the previous page)').optional(),
  limit: intParam('limit', 1, 500).default(50),
});

// The policy document itself is checked by parsePolicy (InvalidPolicy with issues); here only the envelope.
const policyField = z.unknown().refine((p) => p !== undefined, 'policy is required (the policy document)');

const saveBody = z.strictObject(
  {
    policy: policyField,
    version: z.int({ error: 'version must be the whole number GET /api/admin/policy returned' }).min(0, 'version must be 0 or more'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unexpected field(s) ${iss.keys.join(', ')}; send { policy, version }` : 'send a JSON object { policy, version }') },
);

const previewBody = z.strictObject(
  { policy: policyField },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unexpected field(s) ${iss.keys.join(', ')}; send { policy }` : 'send a JSON object { policy }') },
);

function parse<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const message = result.error.issues.map((i) => i.message).join('; ');
  throw new HttpError(400, 'BadRequest', `Bad request ${where}: ${message}`);
}

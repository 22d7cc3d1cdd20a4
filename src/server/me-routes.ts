import { Router } from 'express';
import { FeedRepository } from '../store/feed-repository.js';
import type { Store } from '../store/store.js';
import type { TenantAccess } from '../tenant-access.js';
import { callerOf } from './auth/with-tab-auth.js';
import { identityErrorToHttp } from './identity-errors.js';

/**
 * GET /api/me: who the caller is, their tenant, whether they receive contacts, and whether they are
 * an administrator. The first call of a new tenant's first user creates the tenant and starts its
 * first sync (through the on-behalf-of exchange, which also tells us about consent).
 */
export function meRoutes(deps: { access: Pick<TenantAccess, 'graphToken'>; store: Store }): Router {
  const router = Router();
  router.get('/me', async (req, res, next) => {
    const caller = callerOf(req)!;
    try {
      await deps.access.graphToken(caller.token, { tenantId: caller.tenantId, userId: caller.userId, username: caller.username });
    } catch (err) {
      return next(identityErrorToHttp(err) ?? err);
    }
    const tenant = await deps.store.tenants.get(caller.tenantId);
    const audience = await new FeedRepository(deps.store.db).audienceOf(caller.tenantId, caller.userId);
    res.json({
      user: { id: caller.userId, name: caller.name, username: caller.username },
      tenant: { id: caller.tenantId, consent: tenant?.consentState ?? 'unknown' },
      isAdmin: caller.isAdmin,
      receivesContacts: audience !== undefined,
    });
  });
  return router;
}

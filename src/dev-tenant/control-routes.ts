import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { DirectoryError } from './directory.js';
import { GRAPH_APP_ID, type DevRegistry, type DevTenant } from './registry.js';
import type { SigningKeys } from './signing-keys.js';

/**
 * The dev-only control API under /_dev: inspect tenants, and change users, groups, memberships,
 * photos, consent and conditional access so that tests can drive delta rounds and error paths.
 * Mounted only when the stand-in is enabled; it has no authentication because it only ever runs on
 * a developer's machine or in CI.
 */
export function controlRoutes(deps: { registry: DevRegistry; keys: SigningKeys }): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  const { registry } = deps;

  router.get('/tenants', (req, res) => {
    const withUsers = req.query.users !== 'false';
    res.json({
      password: registry.userPassword,
      tenants: [...registry.tenants.values()].map((t) => ({
        id: t.id,
        domain: t.domain,
        displayName: t.displayName,
        userCount: t.directory.userCount,
        ...(withUsers ? { users: [...t.directory.listUsers()].map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName })) } : {}),
        groups: [...t.directory.listGroups()].map((g) => ({ id: g.id, displayName: g.displayName })),
        apps: [...registry.apps.values()]
          .filter((a) => !a.firstParty)
          .map((a) => ({
            clientId: a.clientId,
            displayName: a.displayName,
            identifierUri: a.identifierUris[0] ?? null,
            scopes: a.exposedScopes.map((s) => s.value),
            requiredPermissions: a.requiredScopes.map(readable),
            consent: { adminConsented: t.consents.hasAdminConsent(a.clientId), granted: t.consents.adminGranted(a.clientId).map(readable) },
          })),
      })),
    });
  });

  const tenant = (req: Request): DevTenant => {
    const t = registry.findTenant(String(req.params.tenant));
    if (!t) throw new DirectoryError('notFound', `No tenant ${req.params.tenant}`);
    return t;
  };

  router.post('/tenants/:tenant/users', (req, res) => res.status(201).json(tenant(req).directory.addUser(userInput.parse(req.body))));
  router.patch('/tenants/:tenant/users/:id', (req, res) => res.json(tenant(req).directory.updateUser(req.params.id, userPatch.parse(req.body))));
  router.delete('/tenants/:tenant/users/:id', (req, res) => {
    tenant(req).directory.deleteUser(req.params.id, req.query.permanent === 'true');
    res.status(204).end();
  });
  router.put('/tenants/:tenant/users/:id/photo', express.raw({ type: 'image/*', limit: '4mb' }), (req, res) => {
    const bytes = req.body as Buffer;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new DirectoryError('badRequest', 'Send the image as the body with an image/* content type');
    tenant(req).directory.setPhoto(req.params.id, { contentType: req.get('content-type')!, bytes, width: 0, height: 0 });
    res.status(204).end();
  });
  router.delete('/tenants/:tenant/users/:id/photo', (req, res) => {
    tenant(req).directory.setPhoto(req.params.id, undefined);
    res.status(204).end();
  });

  router.post('/tenants/:tenant/groups', (req, res) => res.status(201).json(tenant(req).directory.addGroup(groupInput.parse(req.body))));
  router.patch('/tenants/:tenant/groups/:id', (req, res) => res.json(tenant(req).directory.updateGroup(req.params.id, groupInput.partial().parse(req.body))));
  router.delete('/tenants/:tenant/groups/:id', (req, res) => {
    tenant(req).directory.deleteGroup(req.params.id, req.query.permanent === 'true');
    res.status(204).end();
  });
  router.post('/tenants/:tenant/groups/:id/members', (req, res) => {
    tenant(req).directory.addMember(req.params.id, z.object({ id: z.string().min(1) }).parse(req.body).id);
    res.status(204).end();
  });
  router.delete('/tenants/:tenant/groups/:id/members/:memberId', (req, res) => {
    tenant(req).directory.removeMember(req.params.id, req.params.memberId);
    res.status(204).end();
  });

  /** Conditional access: require MFA (AADSTS50076 claims challenge) for a user, or stop requiring it. */
  router.put('/tenants/:tenant/users/:id/mfa-required', (req, res) => {
    const t = tenant(req);
    t.claimsChallengeUsers.add(requireUser(t, req.params.id));
    res.status(204).end();
  });
  router.delete('/tenants/:tenant/users/:id/mfa-required', (req, res) => {
    const t = tenant(req);
    t.claimsChallengeUsers.delete(requireUser(t, req.params.id));
    res.status(204).end();
  });

  /** Admin consent for an app, as the Entra admin centre's "Grant admin consent" button; DELETE revokes. */
  router.post('/tenants/:tenant/consent', (req, res) => {
    const { clientId } = z.object({ clientId: z.string() }).parse(req.body);
    const app = registry.apps.get(clientId);
    if (!app) throw new DirectoryError('notFound', `No app ${clientId}`);
    tenant(req).consents.grantForAll(clientId, app.requiredScopes);
    res.status(204).end();
  });
  router.delete('/tenants/:tenant/consent/:clientId', (req, res) => {
    tenant(req).consents.revokeAll(req.params.clientId);
    res.status(204).end();
  });

  /** Signing key rollover: a new key signs from now on; the previous one stays published. */
  router.post('/keys/rotate', async (_req, res) => {
    res.json({ kid: await deps.keys.rotate() });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof z.ZodError) return void res.status(400).json({ error: { code: 'BadRequest', message: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
    if (err instanceof DirectoryError) {
      const status = err.kind === 'notFound' ? 404 : err.kind === 'conflict' ? 409 : 400;
      return void res.status(status).json({ error: { code: err.kind, message: err.message } });
    }
    next(err);
  });
  return router;
}

function requireUser(t: DevTenant, id: string): string {
  const user = t.directory.getUser(id);
  if (!user) throw new DirectoryError('notFound', `No user ${id}`);
  return user.id;
}

function readable(qualified: string): string {
  return qualified.startsWith(`${GRAPH_APP_ID}/`) ? qualified.slice(GRAPH_APP_ID.length + 1) : qualified;
}

const userFields = {
  userPrincipalName: z.string().min(3).max(113).regex(/^[^@\s]+@[^@\s]+$/, 'must be user@domain'),
  displayName: z.string().min(1).max(256),
  givenName: z.string().max(64).nullable(),
  surname: z.string().max(64).nullable(),
  mail: z.string().max(320).nullable(),
  mailNickname: z.string().max(64).nullable(),
  jobTitle: z.string().max(10_240).nullable(),
  department: z.string().max(10_240).nullable(),
  officeLocation: z.string().max(10_240).nullable(),
  companyName: z.string().max(10_240).nullable(),
  businessPhones: z.array(z.string().max(64)).max(1),
  mobilePhone: z.string().max(64).nullable(),
  city: z.string().max(128).nullable(),
  country: z.string().max(128).nullable(),
  employeeId: z.string().max(16).nullable(),
  accountEnabled: z.boolean(),
  userType: z.enum(['Member', 'Guest']),
  showInAddressList: z.boolean().nullable(),
  assignedLicenses: z.array(z.object({ skuId: z.string(), disabledPlans: z.array(z.string()) })),
  directoryRoles: z.array(z.string()),
};
const userPatch = z.object(userFields).partial().strict();
const userInput = userPatch.extend({ id: z.uuid().optional(), userPrincipalName: userFields.userPrincipalName, displayName: userFields.displayName });
const groupInput = z
  .object({
    id: z.uuid().optional(),
    displayName: z.string().min(1).max(256),
    description: z.string().max(1024).nullable().optional(),
    mail: z.string().nullable().optional(),
    mailNickname: z.string().max(64).optional(),
    mailEnabled: z.boolean().optional(),
    securityEnabled: z.boolean().optional(),
    groupTypes: z.array(z.string()).optional(),
    visibility: z.string().nullable().optional(),
  })
  .strict();

import express, { type Request, type Response, type Router } from 'express';
import { DirectoryError } from '../directory.js';
import { sendCount, sendPage } from './collection.js';
import { project, USER } from './entities.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { parseListQuery, parseSelect, queryOptions } from './odata-query.js';
import { contextUrl, sendOData } from './odata-response.js';
import { authorize } from './permissions.js';
import { checkFilterReadable, sortKey, userSource, userView } from './views.js';

/**
 * `GET /users` (https://learn.microsoft.com/graph/api/user-list), `GET /users/$count` and
 * `GET /users/{id | userPrincipalName}` (https://learn.microsoft.com/graph/api/user-get). `/me` is
 * routed here as `/users/{signed-in user's id}`.
 */
export function userRoutes(svc: GraphServices): Router {
  const router = express.Router();
  router.get('/users', (req, res) => listUsers(svc, req, res));
  router.get('/users/$count', (req, res) => countUsers(svc, req, res));
  router.get('/users/:id', (req, res) => getUser(svc, req, res));
  return router;
}

function listUsers(svc: GraphServices, req: Request, res: Response): void {
  authorize(svc, req, res, 'users.list');
  const { caller, tenant } = callerOf(res);
  const query = parseListQuery(req, USER);
  checkFilterReadable(svc, req, res, caller, query.filter);
  sendPage(svc, req, res, userSource(tenant.directory), query, {
    context: contextUrl(svc, 'users', query.select),
    render: (u) => project(USER, u, query.select, userView(caller, u.id)),
    sortKey: sortKey(USER),
  });
}

function countUsers(svc: GraphServices, req: Request, res: Response): void {
  authorize(svc, req, res, 'users.list');
  sendCount(req, res, () => callerOf(res).tenant.directory.userCount);
}

function getUser(svc: GraphServices, req: Request, res: Response): void {
  const { caller, tenant } = callerOf(res);
  const user = tenant.directory.getUser(String(req.params.id));
  authorize(svc, req, res, user && user.id === caller.userId ? 'me.get' : 'users.get');
  if (!user) throw new DirectoryError('notFound', `Resource '${req.params.id}' does not exist or one of its queried reference-property objects are not present.`);
  const select = parseSelect(queryOptions(req).get('select'), [USER]);
  sendOData(res, { '@odata.context': contextUrl(svc, 'users', select, true), ...project(USER, user, select, userView(caller, user.id)) });
}

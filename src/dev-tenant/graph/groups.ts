import express, { type Request, type Response, type Router } from 'express';
import { DirectoryError } from '../directory.js';
import { sendCount, sendPage } from './collection.js';
import { GROUP, project } from './entities.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { parseListQuery, parseSelect, queryOptions } from './odata-query.js';
import { contextUrl, sendOData } from './odata-response.js';
import { authorize } from './permissions.js';
import { groupSource, groupView, sortKey } from './views.js';

/**
 * `GET /groups` (https://learn.microsoft.com/graph/api/group-list), `GET /groups/$count` and
 * `GET /groups/{id}` (https://learn.microsoft.com/graph/api/group-get).
 */
export function groupRoutes(svc: GraphServices): Router {
  const router = express.Router();
  router.get('/groups', (req, res) => listGroups(svc, req, res));
  router.get('/groups/$count', (req, res) => {
    authorize(svc, req, res, 'groups.list');
    sendCount(req, res, () => countLive(callerOf(res).tenant.directory.listGroups()));
  });
  router.get('/groups/:id', (req, res) => getGroup(svc, req, res));
  return router;
}

function listGroups(svc: GraphServices, req: Request, res: Response): void {
  authorize(svc, req, res, 'groups.list');
  const { caller, tenant } = callerOf(res);
  const query = parseListQuery(req, GROUP);
  sendPage(svc, req, res, groupSource(tenant.directory), query, {
    context: contextUrl(svc, 'groups', query.select),
    render: (g) => project(GROUP, g, query.select, groupView(caller)),
    sortKey: sortKey(GROUP),
  });
}

function getGroup(svc: GraphServices, req: Request, res: Response): void {
  authorize(svc, req, res, 'groups.get');
  const { caller, tenant } = callerOf(res);
  const group = tenant.directory.getGroup(String(req.params.id));
  if (!group) throw new DirectoryError('notFound', `Resource '${req.params.id}' does not exist or one of its queried reference-property objects are not present.`);
  const select = parseSelect(queryOptions(req).get('select'), [GROUP]);
  sendOData(res, { '@odata.context': contextUrl(svc, 'groups', select, true), ...project(GROUP, group, select, groupView(caller)) });
}

function countLive(items: Iterable<unknown>): number {
  let n = 0;
  for (const _ of items) n++;
  return n;
}

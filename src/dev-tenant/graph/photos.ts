import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { DirectoryError, type DevPhoto, type DevUser } from '../directory.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';
import { sendOData } from './odata-response.js';
import { authorize } from './permissions.js';

/**
 * A user's profile photo: `/photo` is the metadata, `/photo/$value` the bytes; a user without a photo
 * is 404 ImageNotFound (https://learn.microsoft.com/graph/api/profilephoto-get). `/me/photo` is
 * routed here with the signed-in user's id.
 */
export function photoRoutes(svc: GraphServices): Router {
  const router = express.Router();
  router.get('/users/:id/photo', (req, res) => {
    const { user, photo } = findPhoto(svc, req, res);
    sendOData(res, {
      '@odata.context': `${svc.serviceRoot}/$metadata#users('${user.id}')/photo/$entity`,
      '@odata.mediaContentType': photo.contentType,
      '@odata.mediaEtag': etag(photo),
      id: 'default',
      height: photo.height,
      width: photo.width,
    });
  });
  router.get('/users/:id/photo/$value', (req, res) => {
    const { photo } = findPhoto(svc, req, res);
    res.setHeader('Content-Type', photo.contentType);
    res.setHeader('ETag', etag(photo));
    res.send(photo.bytes);
  });
  return router;
}

function findPhoto(svc: GraphServices, req: Request, res: Response): { user: DevUser; photo: DevPhoto } {
  const { caller, tenant } = callerOf(res);
  const user = tenant.directory.getUser(String(req.params.id));
  authorize(svc, req, res, user && user.id === caller.userId ? 'me.photo' : 'users.photo');
  if (!user) throw new DirectoryError('notFound', `Resource '${req.params.id}' does not exist or one of its queried reference-property objects are not present.`);
  const photo = tenant.directory.photos.get(user.id);
  if (!photo) throw new GraphError(404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
  return { user, photo };
}

function etag(photo: DevPhoto): string {
  return `"${createHash('sha256').update(photo.bytes).digest('base64url').slice(0, 27)}"`;
}

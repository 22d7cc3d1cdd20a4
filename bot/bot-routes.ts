import express, { type Request, type Response, type Router } from 'express';

/** Processes one Bot Framework request: authenticates it and runs the bot (bot/teams-ai-app.ts). */
export type BotRequestHandler = (req: Request, res: Response) => Promise<void>;

/**
 * `POST /messages` under the `/api` router (so `/api/messages`, the endpoint the bot registration
 * names), which has already parsed the JSON body with its 100 KB limit; Teams' own messages are far
 * smaller. Mount it before the tab API, whose token check would refuse Bot Framework requests.
 */
export function botRoutes(handle: BotRequestHandler): Router {
  const router = express.Router();
  router.post('/messages', async (req, res) => {
    await handle(req, res);
  });
  return router;
}

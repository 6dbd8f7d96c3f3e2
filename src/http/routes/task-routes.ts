import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { requireApiAccess } from '../auth.ts';
import { taskControlRoutes } from './task-control-routes.ts';
import { taskCreateRoutes } from './task-create-routes.ts';
import { taskDetailRoute } from './task-detail-route.ts';
import { taskReadRoutes } from './task-read-routes.ts';

interface Options {
  accounts: AccountService;
  tasks: TaskService;
}

/** Every task route, behind one credentials check. */
export const taskRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { accounts, tasks }) => {
  // onRequest: credentials are checked before the body is read or validated.
  app.addHook('onRequest', requireApiAccess(accounts));
  await app.register(taskCreateRoutes, { tasks });
  await app.register(taskReadRoutes, { tasks });
  await app.register(taskDetailRoute, { tasks });
  await app.register(taskControlRoutes, { tasks });
};

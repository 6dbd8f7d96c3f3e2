import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TaskService } from '../../tasks/task-service.ts';
import { taskControlRoutes } from './task-control-routes.ts';
import { taskCreateRoutes } from './task-create-routes.ts';
import { taskDetailRoute } from './task-detail-route.ts';
import { taskReadRoutes } from './task-read-routes.ts';

/** Every task route; each declares the access it needs (`config.access`, see `route-access.ts`). */
export const taskRoutes: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (app, { tasks }) => {
  await app.register(taskCreateRoutes, { tasks });
  await app.register(taskReadRoutes, { tasks });
  await app.register(taskDetailRoute, { tasks });
  await app.register(taskControlRoutes, { tasks });
};

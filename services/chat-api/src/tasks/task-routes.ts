import { valid } from '@todo/platform';
import { Hono } from 'hono';
import type { ChatApiEnv } from '../http/env.ts';
import { etag, parseIfMatch } from '../http/if-match.ts';
import { createTask } from './create-task.ts';
import { deleteTask } from './delete-task.ts';
import { getTask, listTasks } from './read-tasks.ts';
import { snoozeTask } from './snooze-task.ts';
import {
  CreateTaskSchema,
  ListTasksQuerySchema,
  PatchTaskSchema,
  SnoozeSchema,
  TaskIdParamSchema,
} from './task-schemas.ts';
import { completeTask, updateTaskFields } from './update-task.ts';

/** `/v1/tasks`: the REST face of the task functions (the chat endpoint calls the same ones). */
export const taskRoutes = new Hono<ChatApiEnv>()
  .post('/', valid('json', CreateTaskSchema), async (c) => {
    const task = await createTask({ ctx: c.get('ctx'), input: c.req.valid('json') });
    c.header('ETag', etag(task.version));
    c.header('Location', `/v1/tasks/${task.id}`);
    return c.json(task, 201);
  })
  .get('/', valid('query', ListTasksQuerySchema), async (c) => {
    return c.json(await listTasks({ ctx: c.get('ctx'), input: c.req.valid('query') }));
  })
  .get('/:id', valid('param', TaskIdParamSchema), async (c) => {
    const task = await getTask({ ctx: c.get('ctx'), id: c.req.valid('param').id });
    c.header('ETag', etag(task.version));
    return c.json(task);
  })
  .patch('/:id', valid('param', TaskIdParamSchema), valid('json', PatchTaskSchema), async (c) => {
    const task = await updateTaskFields({
      ctx: c.get('ctx'),
      id: c.req.valid('param').id,
      input: c.req.valid('json'),
      ifMatch: parseIfMatch(c.req.header('if-match')),
    });
    c.header('ETag', etag(task.version));
    return c.json(task);
  })
  .delete('/:id', valid('param', TaskIdParamSchema), async (c) => {
    await deleteTask({
      ctx: c.get('ctx'),
      id: c.req.valid('param').id,
      ifMatch: parseIfMatch(c.req.header('if-match')),
    });
    return c.body(null, 204);
  })
  .post('/:id/complete', valid('param', TaskIdParamSchema), async (c) => {
    const task = await completeTask({ ctx: c.get('ctx'), id: c.req.valid('param').id });
    c.header('ETag', etag(task.version));
    return c.json(task);
  })
  .post('/:id/snooze', valid('param', TaskIdParamSchema), valid('json', SnoozeSchema), async (c) => {
    const task = await snoozeTask({
      ctx: c.get('ctx'),
      id: c.req.valid('param').id,
      input: c.req.valid('json'),
    });
    c.header('ETag', etag(task.version));
    return c.json(task);
  });

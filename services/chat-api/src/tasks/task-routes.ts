import type { Task } from '@todo/events';
import { valid } from '@todo/platform';
import { type Context, Hono } from 'hono';
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

/** A task as the answer: its JSON, and its version as the ETag (what `If-Match` sends back). */
function taskAnswer(c: Context<ChatApiEnv>, task: Task, status: 200 | 201 = 200) {
  c.header('ETag', etag(task.version));
  return c.json(task, status);
}

/** `/v1/tasks`: the REST face of the task functions (the chat endpoint calls the same ones). */
export const taskRoutes = new Hono<ChatApiEnv>()
  .post('/', valid('json', CreateTaskSchema), async (c) => {
    const task = await createTask({ ctx: c.get('ctx'), input: c.req.valid('json') });
    c.header('Location', `/v1/tasks/${task.id}`);
    return taskAnswer(c, task, 201);
  })
  .get('/', valid('query', ListTasksQuerySchema), async (c) =>
    c.json(await listTasks({ ctx: c.get('ctx'), input: c.req.valid('query') })),
  )
  .get('/:id', valid('param', TaskIdParamSchema), async (c) =>
    taskAnswer(c, await getTask({ ctx: c.get('ctx'), id: c.req.valid('param').id })),
  )
  .patch('/:id', valid('param', TaskIdParamSchema), valid('json', PatchTaskSchema), async (c) => {
    const ifMatch = parseIfMatch(c.req.header('if-match'));
    const { id } = c.req.valid('param');
    return taskAnswer(
      c,
      await updateTaskFields({ ctx: c.get('ctx'), id, input: c.req.valid('json'), ifMatch }),
    );
  })
  .delete('/:id', valid('param', TaskIdParamSchema), async (c) => {
    const ifMatch = parseIfMatch(c.req.header('if-match'));
    await deleteTask({ ctx: c.get('ctx'), id: c.req.valid('param').id, ifMatch });
    return c.body(null, 204);
  })
  .post('/:id/complete', valid('param', TaskIdParamSchema), async (c) =>
    taskAnswer(c, await completeTask({ ctx: c.get('ctx'), id: c.req.valid('param').id })),
  )
  .post('/:id/snooze', valid('param', TaskIdParamSchema), valid('json', SnoozeSchema), async (c) => {
    const { id } = c.req.valid('param');
    return taskAnswer(c, await snoozeTask({ ctx: c.get('ctx'), id, input: c.req.valid('json') }));
  });

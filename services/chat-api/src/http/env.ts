import type { RequestVariables, UserVariables } from '@todo/platform';
import type { TaskContext } from '../tasks/task-context.ts';

/** The Hono environment of chat-api's routes: what the middlewares put on the context. */
export interface ChatApiEnv {
  Variables: RequestVariables & UserVariables & { ctx: TaskContext };
}

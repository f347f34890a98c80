/**
 * The todo tools an LLM agent calls over MCP, on one user's tasks. Each calls the same task
 * functions as the REST routes and the chat (so the events are the same), takes its arguments
 * through schemas derived from the REST ones (tool-schemas.ts), spends the same write allowance,
 * and answers structured content; any failure is a tool error the model can read (tool-result.ts).
 */
import { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from '@todo/platform';
import type { WriteLimiter } from '../http/write-rate-limit.ts';
import { userTimeZone } from '../preferences/user-time-zone.ts';
import { createTask } from '../tasks/create-task.ts';
import { deleteTask } from '../tasks/delete-task.ts';
import { listTasks } from '../tasks/read-tasks.ts';
import { snoozeTask } from '../tasks/snooze-task.ts';
import type { TaskContext } from '../tasks/task-context.ts';
import { CreateTaskSchema, PatchTaskSchema, SnoozeSchema } from '../tasks/task-schemas.ts';
import { completeTask, updateTaskFields } from '../tasks/update-task.ts';
import { checkedArguments, toolError, toolResult } from './tool-result.ts';
import {
  AddTaskArgs,
  DeletedResult,
  forMcp,
  ListTasksArgs,
  SnoozeTaskArgs,
  TaskIdArgs,
  TaskPageResult,
  TaskResult,
  UpdateTaskArgs,
} from './tool-schemas.ts';

/** Who calls, and what they may spend: one MCP request's context. */
export interface ToolContext {
  ctx: TaskContext;
  limiter: WriteLimiter;
  log: Logger;
  requestId: string;
}

export const SERVER_INFO = { name: 'todo-chatbot', version: '1.0.0' };

const INSTRUCTIONS =
  "Tools for the user's todo list. Dates are RFC 3339 with an offset. Ids come from add_task, " +
  'list_tasks. A tool error says which argument to fix.';

const pageSummary = (page: { items: { title: string }[]; next_cursor: string | null }) =>
  page.items.length === 0
    ? 'No tasks match.'
    : `${page.items.length} task${page.items.length === 1 ? '' : 's'}${page.next_cursor ? ' (more: pass next_cursor)' : ''}.`;

/** An McpServer with the todo tools, bound to the user of one request (the server is per request). */
export function createTaskToolsServer(tc: ToolContext): McpServer {
  const { ctx, limiter } = tc;
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  const guarded =
    <A, R>(run: (args: A) => Promise<R>) =>
    async (args: A) => {
      try {
        return await run(args);
      } catch (err) {
        return toolError(err, tc.log, tc.requestId);
      }
    };
  const write = () => limiter.take(ctx.userId);

  server.registerTool(
    'add_task',
    {
      title: 'Add a task',
      description:
        'Adds a task to the user\'s list, optionally with a due date, a reminder (the user is notified then) and a recurrence ("daily", "weekly", an RRULE).',
      inputSchema: forMcp(AddTaskArgs),
      outputSchema: forMcp(TaskResult),
    },
    guarded(async (args) => {
      write();
      const input = checkedArguments(CreateTaskSchema, {
        ...args,
        timezone: await userTimeZone(ctx, args.timezone),
      });
      const task = await createTask({ ctx, input });
      return toolResult(`Added "${task.title}" (id ${task.id}).`, task);
    }),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description:
        "Lists the user's tasks, newest first, filtered by status, due window, tag or text (q: words in the title or description); pages with cursor.",
      inputSchema: forMcp(ListTasksArgs),
      outputSchema: forMcp(TaskPageResult),
      annotations: { readOnlyHint: true },
    },
    guarded(async (args) => {
      const page = await listTasks({ ctx, input: args });
      return toolResult(pageSummary(page), page);
    }),
  );

  server.registerTool(
    'complete_task',
    {
      title: 'Complete a task',
      description: 'Marks a task done; its reminder stops.',
      inputSchema: forMcp(TaskIdArgs),
      outputSchema: forMcp(TaskResult),
      annotations: { idempotentHint: true },
    },
    guarded(async ({ id }) => {
      write();
      const task = await completeTask({ ctx, id });
      return toolResult(`Completed "${task.title}".`, task);
    }),
  );

  server.registerTool(
    'delete_task',
    {
      title: 'Delete a task',
      description: 'Deletes a task and its reminder for good.',
      inputSchema: forMcp(TaskIdArgs),
      outputSchema: forMcp(DeletedResult),
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    guarded(async ({ id }) => {
      write();
      await deleteTask({ ctx, id });
      return toolResult(`Deleted task ${id}.`, { id, deleted: true as const });
    }),
  );

  server.registerTool(
    'update_task',
    {
      title: 'Update a task',
      description:
        'Changes the fields given (title, description, status, priority, tags, due_at, remind_at, recurrence, timezone); null clears a date or the description.',
      inputSchema: forMcp(UpdateTaskArgs),
      outputSchema: forMcp(TaskResult),
    },
    guarded(async ({ id, ...changes }) => {
      write();
      const task = await updateTaskFields({ ctx, id, input: checkedArguments(PatchTaskSchema, changes) });
      return toolResult(`Updated "${task.title}" (version ${task.version}).`, task);
    }),
  );

  server.registerTool(
    'snooze_task',
    {
      title: 'Snooze a reminder',
      description: "Moves an open task's reminder to minutes from now, or until an instant.",
      inputSchema: forMcp(SnoozeTaskArgs),
      outputSchema: forMcp(TaskResult),
    },
    guarded(async ({ id, ...when }) => {
      write();
      const task = await snoozeTask({ ctx, id, input: checkedArguments(SnoozeSchema, when) });
      return toolResult(`Snoozed "${task.title}" until ${task.remind_at}.`, task);
    }),
  );

  return server;
}

import type { Task } from '@todo/events';
import { userTimeZone } from '../preferences/user-time-zone.ts';
import { createTask } from '../tasks/create-task.ts';
import { deleteTask } from '../tasks/delete-task.ts';
import { listOpenTasksForChat, listTasks } from '../tasks/read-tasks.ts';
import { snoozeTask } from '../tasks/snooze-task.ts';
import type { TaskContext } from '../tasks/task-context.ts';
import { checkRecurrencePeriod } from '../tasks/task-limits.ts';
import { CreateTaskSchema, PatchTaskSchema, SnoozeSchema } from '../tasks/task-schemas.ts';
import { completeTask, updateTaskFields } from '../tasks/update-task.ts';
import { checkedInput, parsedSafely } from './chat-input.ts';
import type { ChatAction, ChatRequest } from './chat-schemas.ts';
import { type Command, parseCommand, type TaskRef } from './parse-command.ts';

export interface ChatReply {
  reply: string;
  actions: ChatAction[];
  tasks: Task[];
}

function when(iso: string | null, zone: string): string {
  if (!iso) return 'no date';
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}

type Resolved = { task: Task } | { reply: ChatReply };

/** Finds the one open task a reference means, or a reply asking which one. */
async function resolve(ctx: TaskContext, ref: TaskRef, zone: string): Promise<Resolved> {
  const open = await listOpenTasksForChat({ ctx });
  if ('position' in ref) {
    const task = open[ref.position - 1];
    if (task) return { task };
    return {
      reply: {
        reply: `There is no task ${ref.position}: you have ${open.length} open task${open.length === 1 ? '' : 's'}.`,
        actions: [{ type: 'clarify' }],
        tasks: open,
      },
    };
  }
  const needle = ref.text.toLowerCase();
  const exact = open.filter((t) => t.title.toLowerCase() === needle);
  const words = needle.split(/\s+/).filter(Boolean);
  const matches =
    exact.length > 0 ? exact : open.filter((t) => words.every((w) => t.title.toLowerCase().includes(w)));
  if (matches.length === 1 && matches[0]) return { task: matches[0] };
  if (matches.length === 0) {
    return {
      reply: { reply: `No open task matches "${ref.text}".`, actions: [{ type: 'clarify' }], tasks: [] },
    };
  }
  const list = matches.map((t) => `${open.indexOf(t) + 1}. ${t.title} (${when(t.due_at, zone)})`).join('; ');
  return {
    reply: {
      reply: `Several tasks match "${ref.text}": ${list}. Which one? Answer with its number.`,
      actions: [{ type: 'clarify' }],
      tasks: matches,
    },
  };
}

/**
 * Runs one chat message: parses it deterministically, then calls the same task functions as
 * the REST routes, so the events are identical.
 */
export async function handleChat({
  ctx,
  input,
}: {
  ctx: TaskContext;
  input: ChatRequest;
}): Promise<ChatReply> {
  const zone = await userTimeZone(ctx, input.timezone);
  const command: Command = parsedSafely(() =>
    parseCommand(input.message, { now: ctx.now(), timezone: zone }),
  );
  switch (command.kind) {
    case 'help':
      return {
        reply: `Sorry, I did not get that: ${command.reason}.`,
        actions: [{ type: 'help' }],
        tasks: [],
      };
    case 'add': {
      checkRecurrencePeriod(command.recurrence, ctx.limits, 'body.message');
      const task = await createTask({
        ctx,
        input: checkedInput(CreateTaskSchema, {
          title: command.title,
          description: null,
          priority: 'medium',
          tags: [],
          due_at: command.due_at,
          remind_at: command.remind_at,
          recurrence: command.recurrence,
          timezone: zone,
        }),
      });
      const due = task.due_at ? `, due ${when(task.due_at, zone)}` : '';
      const remind = task.remind_at ? `; I will remind you ${when(task.remind_at, zone)}` : '';
      const repeat = task.recurrence !== 'none' ? ` (repeats ${task.recurrence.replace('RRULE:', '')})` : '';
      return {
        reply: `Added "${task.title}"${due}${remind}${repeat}.`,
        actions: [{ type: 'created', task_id: task.id }],
        tasks: [task],
      };
    }
    case 'list': {
      if (command.period === 'completed') {
        const page = await listTasks({ ctx, input: { status: 'completed', limit: 50 } });
        const lines = page.items.map((t, i) => `${i + 1}. ${t.title}`).join('\n');
        return {
          reply: page.items.length ? `Completed:\n${lines}` : 'Nothing completed yet.',
          actions: [{ type: 'listed' }],
          tasks: page.items,
        };
      }
      const open = await listOpenTasksForChat({ ctx });
      const after = command.due_after ? Date.parse(command.due_after) : undefined;
      const before = command.due_before ? Date.parse(command.due_before) : undefined;
      const shown = open
        .map((t, i) => ({ t, n: i + 1 }))
        .filter(({ t }) => {
          if (after === undefined && before === undefined) return true;
          if (!t.due_at) return false;
          const d = Date.parse(t.due_at);
          return (after === undefined || d >= after) && (before === undefined || d < before);
        });
      const label = {
        all: 'open',
        today: 'due today',
        tomorrow: 'due tomorrow',
        'this-week': 'due this week',
        overdue: 'overdue',
      }[command.period];
      if (shown.length === 0) return { reply: `Nothing ${label}.`, actions: [{ type: 'listed' }], tasks: [] };
      const lines = shown.map(({ t, n }) => `${n}. ${t.title} (${when(t.due_at, zone)})`).join('\n');
      return {
        reply: `Your tasks ${label}:\n${lines}`,
        actions: [{ type: 'listed' }],
        tasks: shown.map(({ t }) => t),
      };
    }
    case 'complete':
    case 'delete':
    case 'rename':
    case 'reschedule':
    case 'snooze': {
      const found = await resolve(ctx, command.ref, zone);
      if ('reply' in found) return found.reply;
      const { task } = found;
      if (command.kind === 'complete') {
        const done = await completeTask({ ctx, id: task.id });
        return {
          reply: `Done: "${done.title}".`,
          actions: [{ type: 'completed', task_id: done.id }],
          tasks: [done],
        };
      }
      if (command.kind === 'delete') {
        await deleteTask({ ctx, id: task.id });
        return {
          reply: `Deleted "${task.title}".`,
          actions: [{ type: 'deleted', task_id: task.id }],
          tasks: [],
        };
      }
      if (command.kind === 'rename') {
        const renamed = await updateTaskFields({
          ctx,
          id: task.id,
          input: checkedInput(PatchTaskSchema, { title: command.title }),
        });
        return {
          reply: `Renamed "${task.title}" to "${renamed.title}".`,
          actions: [{ type: 'renamed', task_id: renamed.id }],
          tasks: [renamed],
        };
      }
      if (command.kind === 'reschedule') {
        // The reminder keeps its lead time before the due date.
        const lead = task.due_at && task.remind_at ? Date.parse(task.due_at) - Date.parse(task.remind_at) : 0;
        const remind_at = task.remind_at ? new Date(Date.parse(command.due_at) - lead).toISOString() : null;
        const moved = await updateTaskFields({
          ctx,
          id: task.id,
          input: checkedInput(PatchTaskSchema, { due_at: command.due_at, remind_at }),
        });
        return {
          reply: `Moved "${moved.title}" to ${when(moved.due_at, zone)}.`,
          actions: [{ type: 'rescheduled', task_id: moved.id }],
          tasks: [moved],
        };
      }
      const snoozed = await snoozeTask({
        ctx,
        id: task.id,
        input: checkedInput(
          SnoozeSchema,
          command.until ? { until: command.until } : { minutes: command.minutes ?? 10 },
        ),
      });
      return {
        reply: `Snoozed "${snoozed.title}" until ${when(snoozed.remind_at, zone)}.`,
        actions: [{ type: 'snoozed', task_id: snoozed.id }],
        tasks: [snoozed],
      };
    }
  }
}

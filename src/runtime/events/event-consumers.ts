import type { Subscription } from '../../adapters/broker/event-transport.ts';
import type { SystemModel } from '../../model/system-model.ts';
import type { EventHandler } from '../handlers/handler-context.ts';
import { loadHandler } from '../handlers/load-handlers.ts';

/** One consumer module: component `consumer` handles `event` with `handler` (loaded from `file`). */
export interface EventConsumer extends Subscription {
  file: string;
  handler: EventHandler;
}

/**
 * Who consumes what at run time: every `architecture.components.<name>.handlers` entry. A
 * component that lists an event in `consumes` without a handler names an outside consumer (or a
 * plan), which the runtime has nothing to run for.
 */
export function subscriptionsOf(model: SystemModel): Subscription[] {
  return model.architecture.components.flatMap((c) => Object.keys(c.handlers).map((event) => ({ consumer: c.name, event })));
}

/**
 * Loads every consumer module of the model at start-up (TypeScript via tsx, paths relative to the
 * spec), or only those of component `only` (a process running one component, `serve --component`).
 * A missing or broken module, or one whose default export is not a function, throws
 * HandlerLoadError naming the file, so the server does not start.
 */
export async function loadEventConsumers(model: SystemModel, specDir: string, only?: string): Promise<EventConsumer[]> {
  const consumers: EventConsumer[] = [];
  for (const component of model.architecture.components) {
    if (only !== undefined && component.name !== only) continue;
    for (const [event, file] of Object.entries(component.handlers)) {
      consumers.push({ consumer: component.name, event, file, handler: (await loadHandler(specDir, file)) as unknown as EventHandler });
    }
  }
  return consumers;
}

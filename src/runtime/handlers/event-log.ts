import type { SystemModel } from '../../model/system-model.ts';
import type { HandlerLog } from './handler-context.ts';

/** One event a handler emitted and whose transaction committed. */
export interface EmittedEvent {
  name: string;
  payload: Record<string, unknown>;
  at: string;
  requestId: string;
}

/**
 * Events emitted by handlers, kept in memory for inspection (tests, the next milestone's delivery).
 * A request's events are staged and only recorded when its transaction commits, so a rolled-back
 * request announces nothing. The log keeps the newest `capacity` events.
 */
export class EventLog {
  readonly events: EmittedEvent[] = [];

  constructor(private readonly model: SystemModel, private readonly capacity = 10_000) {}

  /** A staging area for one request: `emit` checks the name, `commit` records everything staged. */
  stage(requestId: string, log: HandlerLog): { emit: (name: string, payload: Record<string, unknown>) => Promise<void>; commit: () => void } {
    const staged: EmittedEvent[] = [];
    return {
      emit: async (name, payload) => {
        if (!this.model.events.some((e) => e.name === name)) {
          throw new Error(`ctx.emit: event "${name}" is not declared in the spec's events (${this.model.events.map((e) => e.name).join(', ') || 'none'})`);
        }
        staged.push({ name, payload, at: new Date().toISOString(), requestId });
      },
      commit: () => {
        for (const event of staged) {
          log.info({ event: event.name }, `event ${event.name} emitted`);
          this.events.push(event);
        }
        if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
      },
    };
  }
}

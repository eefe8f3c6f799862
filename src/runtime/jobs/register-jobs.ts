import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import { loadJobs } from './job-definitions.ts';
import { jobMetrics } from './job-metrics.ts';
import { JobScheduler, type JobSchedulerOptions } from './job-scheduler.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's job scheduler: `run(name)` runs a job now (with its lease), `fire(name, at)` one occurrence. */
    archspecJobs: JobScheduler;
  }
}

/** `ServerDeps.jobs`: whether and how the server runs the spec's scheduled jobs. */
export interface JobsOptions extends JobSchedulerOptions {
  /** Start the timers when the server is ready (default true). False: jobs run only through `app.archspecJobs.run`. */
  schedule?: boolean;
}

/**
 * Loads the spec's job handlers (a missing module fails start-up, naming it), decorates the app
 * with the scheduler (`app.archspecJobs`), registers the job metrics in `registry` when there is a
 * job to run, starts the timers when the server is ready and, on close, stops them, aborts the
 * runs in progress and releases their leases. `services` must be the ones custom handlers use
 * (storage with the data policies, the emitter of the outbox, the integration clients).
 *
 * @example
 * await registerJobs(app, model, { services, specDir, registry: metrics.registry, options: deps.jobs });
 */
export async function registerJobs(app: FastifyInstance, model: SystemModel, deps: { services: WorkServices; specDir: string; registry: Registry; options?: JobsOptions; only?: readonly string[] }): Promise<JobScheduler> {
  // `only`: the jobs of one component process (`serve --component`); the others' modules are not even loaded.
  const jobs = await loadJobs(model, deps.specDir, deps.only);
  const { schedule = true, ...options } = deps.options ?? {};
  const metrics = jobs.length ? jobMetrics(deps.registry, jobs.map((job) => job.name)) : undefined;
  const scheduler = new JobScheduler(jobs, { services: deps.services, log: app.log, ...(metrics ? { metrics } : {}) }, options);
  app.decorate('archspecJobs', scheduler);
  if (schedule && jobs.length) {
    app.addHook('onReady', async () => {
      scheduler.start();
      app.log.info({ jobs: jobs.map((job) => job.name), instance: scheduler.instanceId }, `scheduled ${jobs.length} job(s)`);
    });
  }
  app.addHook('onClose', async () => scheduler.stop());
  return scheduler;
}

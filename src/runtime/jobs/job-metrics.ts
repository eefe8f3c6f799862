import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { reuseMetric } from '../observability/storage-metrics.ts';
import type { JobRunStatus } from './job-runs.ts';

/** Where the runner reports each finished attempt (the spec's `job-runs` metric). */
export interface JobMetrics {
  attempt(job: string, status: Exclude<JobRunStatus, 'running'>, seconds: number): void;
  succeeded(job: string, at: Date): void;
}

/** Seconds: quick jobs to the hour-long ones (a spec timeout may be 1h). */
const DURATION_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900, 1800, 3600];
const STATUSES = ['succeeded', 'failed', 'timed-out'] as const;

/**
 * Job metrics in `registry`: `archspec_job_runs_total{job,status}` (one per attempt; every job and
 * status starts at 0, so an alert on failures sees the series before the first one),
 * `archspec_job_duration_seconds{job}` and `archspec_job_last_success_timestamp_seconds{job}`
 * (alert when `time() - it` exceeds the schedule's period: the job silently stopped succeeding).
 *
 * @example
 * const metrics = jobMetrics(registry, ['send-reminders']);
 * metrics.attempt('send-reminders', 'succeeded', 0.2);
 */
export function jobMetrics(registry: Registry, jobs: readonly string[]): JobMetrics {
  const runs = reuseMetric(registry, 'archspec_job_runs_total', () => new Counter({
    name: 'archspec_job_runs_total', help: 'Scheduled job attempts by job and outcome (succeeded, failed, timed-out).', labelNames: ['job', 'status'], registers: [registry],
  }));
  const duration = reuseMetric(registry, 'archspec_job_duration_seconds', () => new Histogram({
    name: 'archspec_job_duration_seconds', help: 'Time one job attempt ran, in seconds.', labelNames: ['job'], buckets: DURATION_BUCKETS, registers: [registry],
  }));
  const lastSuccess = reuseMetric(registry, 'archspec_job_last_success_timestamp_seconds', () => new Gauge({
    name: 'archspec_job_last_success_timestamp_seconds', help: 'When each job last succeeded on this instance (Unix time, seconds).', labelNames: ['job'], registers: [registry],
  }));
  for (const job of jobs) for (const status of STATUSES) runs.inc({ job, status }, 0);
  return {
    attempt(job, status, seconds) {
      runs.inc({ job, status });
      duration.observe({ job }, seconds);
    },
    succeeded(job, at) {
      lastSuccess.set({ job }, at.getTime() / 1000);
    },
  };
}

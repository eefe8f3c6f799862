import { Registry } from 'prom-client';
import { editedSpecModel } from '../../src/model/test-support/edited-spec.ts';
import type { SystemModel } from '../../src/model/system-model.ts';
import type { HandlerLog } from '../../src/runtime/handlers/handler-context.ts';
import { integrationClients, type IntegrationClientOptions, type IntegrationSet } from '../../src/runtime/integrations/integration-client.ts';

/**
 * Test support for integration clients: the payments example's model with extra integrations
 * (spec syntax, e.g. `{ url: 'env:PROBE_URL', timeout: '100ms', breaker: {...} }`), built through
 * the real spec pipeline, and a client set over it whose log and metrics the test can read.
 *
 * @example
 * const t = testIntegrations({ probe: { purpose: 'p', url: 'env:PROBE_URL', fallback: 'allow' } }, { PROBE_URL: double.url });
 * await t.set.clients.probe!.get('/x');
 * expect(await t.metric('archspec_integration_calls_total', { integration: 'probe', outcome: 'success' })).toBe(1);
 */

/** One log call of the client set. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: any;
  msg: string | undefined;
}

export interface TestIntegrations {
  set: IntegrationSet;
  registry: Registry;
  logs: LogEntry[];
  /** The value of `name`'s series with exactly these labels (0 when absent). */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** Models already built, by their extra integrations (building one runs the whole spec pipeline). */
const models = new Map<string, SystemModel>();

/** Client set for the payments model plus `integrations`, reading `env:NAME` urls from `env`. */
export function testIntegrations(
  integrations: Record<string, Record<string, unknown>>,
  env: Record<string, string>,
  options: Partial<IntegrationClientOptions> = {},
): TestIntegrations {
  const key = JSON.stringify(integrations);
  const model = models.get(key) ?? editedSpecModel('examples/payments/archspec.yaml', (s) => { Object.assign(s.requirements.integrations, integrations); }, 'payments spec');
  models.set(key, model);
  const logs: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: unknown, msg?: string) => { logs.push({ level, obj, msg }); };
  const log: HandlerLog = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const registry = new Registry();
  const set = integrationClients(model, { log, env, registry, ...options });
  return {
    set, registry, logs,
    metric: async (name, labels) => {
      // A histogram's series (`<name>_count`, `_sum`, `_bucket`) live under the histogram's own name.
      const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(count|sum|bucket)$/, ''));
      if (!metric) return 0;
      const { values } = await metric.get();
      const wanted = Object.entries(labels);
      const match = values.find((v) => {
        const series = (v as { metricName?: string }).metricName;
        if (series !== undefined && series !== name) return false;
        const own = Object.entries(v.labels).filter(([k]) => k !== 'le');
        return own.length === wanted.length && wanted.every(([k, value]) => v.labels[k] === value);
      });
      return match?.value ?? 0;
    },
    close: () => set.close(),
  };
}

import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SystemModel } from '../../model/system-model.ts';

export { registerTracing, traceStorage, withSpan } from './http-tracing.ts';

/**
 * OpenTelemetry tracing of the running system. Spans are recorded only when the spec asks for
 * OpenTelemetry and an exporter is configured: OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, standard output when the spec says
 * `exporter: stdout`. Otherwise tracing is a no-op that still carries an incoming `traceparent`
 * into the logs. The SDK and exporter are imported only when tracing is on.
 */

/** Where spans go, and why. */
export type TracingConfig =
  | { exporter: 'otlp'; url: string; sampling: number; serviceName: string }
  | { exporter: 'stdout' | 'custom'; sampling: number; serviceName: string }
  | { exporter: 'none'; reason: string };

/** A started (or no-op) tracer and how to stop it. */
export interface Tracing {
  tracer: Tracer;
  /** Whether spans are recorded and exported (false: the tracer is a no-op). */
  enabled: boolean;
  /** One line for the start-up banner: where spans go, or why there are none. */
  description: string;
  /** Flushes pending spans and unregisters the global provider; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Environment variables read here (a subset of the OpenTelemetry SDK's). */
export type TracingEnv = Partial<Record<'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED' | 'OTEL_SERVICE_NAME', string>>;

/** The tracer name of archspec's own spans. */
export const TRACER_NAME = 'archspec';

/**
 * Decides where spans go from the spec's `observability.tracing` and the environment; `custom`
 * when the caller brings its own exporter (then only the spec or OTEL_SDK_DISABLED can turn tracing off).
 */
export function tracingConfig(model: SystemModel, env: TracingEnv, customExporter = false): TracingConfig {
  const { tool, exporter, sampling } = model.observability.tracing;
  if (tool !== 'opentelemetry') return { exporter: 'none', reason: 'the spec sets tracing.tool: none' };
  if (exporter === 'none') return { exporter: 'none', reason: 'the spec sets tracing.exporter: none' };
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { exporter: 'none', reason: 'OTEL_SDK_DISABLED=true' };
  const serviceName = env.OTEL_SERVICE_NAME || model.system.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (customExporter) return { exporter: 'custom', sampling, serviceName };
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : '');
  if (url) return { exporter: 'otlp', url, sampling, serviceName };
  if (exporter === 'stdout') return { exporter: 'stdout', sampling, serviceName };
  return { exporter: 'none', reason: 'no OTLP endpoint: set OTEL_EXPORTER_OTLP_ENDPOINT to export spans' };
}

/** The tracing currently registered as the process's global provider, if any. */
let registered: Tracing | undefined;

/**
 * Starts tracing per {@link tracingConfig}: a NodeTracerProvider registered once as the global
 * provider (context manager and W3C trace-context propagator included), sampling the spec's
 * share of new traces (parent-based, so a sampled caller's trace is kept), with a batch processor
 * for OTLP and a simple one for stdout or an injected exporter. `options.exporter` replaces the
 * configured exporter (tests use an in-memory one) but not the decision to trace at all.
 *
 * @throws Error when tracing is already started in this process and not shut down.
 * @example
 * const tracing = await startTracing(model, process.env);
 * registerTracing(app, tracing.tracer);
 * onClose(() => tracing.shutdown());
 */
export async function startTracing(model: SystemModel, env: TracingEnv, options: { exporter?: SpanExporter } = {}): Promise<Tracing> {
  const config = tracingConfig(model, env, options.exporter !== undefined);
  if (config.exporter === 'none') {
    return { tracer: trace.getTracer(TRACER_NAME), enabled: false, description: `tracing off (${config.reason})`, shutdown: async () => {} };
  }
  if (registered) throw new Error('tracing is already started in this process; call shutdown() on it first');
  const [{ NodeTracerProvider }, base, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/resources'), import('@opentelemetry/semantic-conventions'),
  ]);
  let processor;
  if (config.exporter === 'custom' && options.exporter) processor = new base.SimpleSpanProcessor(options.exporter);
  else if (config.exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new base.BatchSpanProcessor(new OTLPTraceExporter({ url: config.url }));
  } else processor = new base.SimpleSpanProcessor(new base.ConsoleSpanExporter());
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(config.sampling) }),
    spanProcessors: [processor],
  });
  provider.register();
  const where = config.exporter === 'custom' ? 'a custom exporter' : config.exporter === 'otlp' ? `OTLP/HTTP ${config.url}` : 'standard output';
  let stopped = false;
  const tracing: Tracing = {
    tracer: provider.getTracer(TRACER_NAME),
    enabled: true,
    description: `tracing to ${where}, sampling ${Number((config.sampling * 100).toPrecision(4))}% of new traces`,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        registered = undefined;
      }
    },
  };
  registered = tracing;
  return tracing;
}

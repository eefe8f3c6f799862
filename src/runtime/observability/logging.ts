import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { SystemModel } from '../../model/system-model.ts';
import { maskValues, redactedNames, redactUrl } from './log-redaction.ts';

/**
 * Structured logs: pino JSON lines, one per request plus whatever handlers log, each carrying the
 * request id (`reqId`) and, once tracing has started the request's span, `traceId`/`spanId`.
 * Personal and secret values named by the model are masked (see log-redaction.ts).
 */

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level (default `info`). */
  level?: string;
  /** Where lines go (default standard output). */
  destination?: DestinationStream;
  /** With `serve --instances N`: this worker's slot (1..N), added to every line as `worker` (`instance` names a job lease holder). */
  worker?: number;
  /** With `serve --component NAME`: the component this process runs, added to every line as `component`. */
  component?: string;
}

/** Paths of infrastructure endpoints polled by probes and scrapers: logged at debug, not info. */
const QUIET_URLS = new Set(['/healthz', '/readyz', '/metrics']);
/** An incoming X-Request-Id is reused only when it is short plain text (it goes into every log line). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The system's logger: JSON lines with ISO times, level names, `service` (the system name), and
 * redaction of credentials plus the model's sensitive/PII fields per `observability.logs.redact`.
 * Request and reply objects are logged as method, URL (masked query values), route pattern,
 * client address and status, never with headers or bodies.
 *
 * @example
 * const log = createLogger(model, { level: process.env.LOG_LEVEL });
 * log.info({ user: { email: 'a@b.io' } }, 'signed up'); // {"user":{"email":"[redacted]"},...}
 */
export function createLogger(model: SystemModel, options: LoggerOptions = {}): Logger {
  const masked = new Set(redactedNames(model));
  return pino({
    level: options.level ?? 'info',
    base: { service: model.system.name, ...(options.component !== undefined ? { component: options.component } : {}), ...(options.worker !== undefined ? { worker: options.worker } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => maskValues(bindings, masked),
      log: (object) => maskValues(object, masked),
    },
    serializers: {
      err: pino.stdSerializers.err,
      // Fastify's request and reply become a few safe fields; anything else logged as req/res stays as given.
      req: (request: FastifyRequest | object) => (isFastifyObject(request) ? {
        method: request.method,
        url: redactUrl(request.url, masked),
        route: request.routeOptions.url,
        remoteAddress: request.ip,
      } : request),
      res: (reply: FastifyReply | object) => (isFastifyObject(reply) ? { statusCode: reply.statusCode } : reply),
    },
  }, options.destination);
}

function isFastifyObject<T extends FastifyRequest | FastifyReply>(value: T | object): value is T {
  return 'raw' in value && 'log' in value;
}

/**
 * Fastify's request log lines, reduced to one line per request written when it completes: by then
 * tracing has bound the trace id to the request's logger (an "incoming request" line is written
 * before any hook runs, so it could never carry it). Probe and scrape requests log at debug.
 */
class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else if (QUIET_URLS.has(request.url)) reply.log.debug(fields, 'request completed');
    else reply.log.info(fields, 'request completed');
  }
}

/** Fastify server options for logging; spread them into `Fastify({...})`. */
export interface FastifyLoggingOptions {
  loggerInstance: FastifyBaseLogger;
  genReqId: (request: IncomingMessage) => string;
  requestIdHeader: false;
  logController: LogController;
}

/**
 * Options that make Fastify log through {@link createLogger}: the request id is the caller's
 * `X-Request-Id` when it is plain text of at most 128 characters, else a new UUID; it is logged
 * as `reqId` on every request line. Pair with {@link registerRequestId} to echo it in responses,
 * and with tracing's `registerTracing` for the trace id.
 *
 * @example
 * const app = Fastify({ ...loggerOptionsForFastify(model), bodyLimit: model.api.bodyLimitBytes });
 * registerRequestId(app);
 */
export function loggerOptionsForFastify(model: SystemModel, options: LoggerOptions = {}): FastifyLoggingOptions {
  return {
    loggerInstance: createLogger(model, options),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    logController: new RequestLogController({ requestIdLogLabel: 'reqId' }),
  };
}

/** Sends the request id back as `X-Request-Id` on every response, errors included. */
export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}

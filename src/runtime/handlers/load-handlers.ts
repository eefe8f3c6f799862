import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SystemModel } from '../../model/system-model.ts';
import type { Handler } from './handler-context.ts';

/** A custom endpoint module that is missing, does not load, or exports no function (a start-up error). */
export class HandlerLoadError extends Error {
  readonly code = 'handler_load_failed';
  constructor(readonly file: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot load handler ${file}: ${reason}`, options);
    this.name = 'HandlerLoadError';
  }
}

/**
 * Loads one handler module (TypeScript, no build step, via tsx) and returns its default export.
 * `file` is relative to `specDir`, as written in the spec.
 */
export async function loadHandler(specDir: string, file: string): Promise<Handler> {
  const absolute = resolve(specDir, file);
  if (!existsSync(absolute)) throw new HandlerLoadError(file, `${absolute} does not exist`);
  let mod: { default?: unknown };
  try {
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as { default?: unknown };
  } catch (e) {
    throw new HandlerLoadError(file, (e as Error).message.split('\n')[0] ?? 'unknown error', { cause: e });
  }
  let handler = mod.default;
  // Outside an ESM package tsx loads the module as CommonJS: the export arrives wrapped once more.
  if (handler && typeof handler === 'object' && 'default' in handler) handler = (handler as { default: unknown }).default;
  if (typeof handler !== 'function') throw new HandlerLoadError(file, 'its default export is not a function (export default async function (ctx) { ... })');
  return handler as Handler;
}

/** Loads every custom endpoint handler of the model at start-up, keyed by endpoint key. Fails on the first bad module. */
export async function loadEndpointHandlers(model: SystemModel, specDir: string): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  const cache = new Map<string, Handler>();
  for (const endpoint of model.api.endpoints) {
    if (endpoint.operation !== 'custom' || !endpoint.handler) continue;
    const handler = cache.get(endpoint.handler) ?? (await loadHandler(specDir, endpoint.handler));
    cache.set(endpoint.handler, handler);
    handlers.set(endpoint.key, handler);
  }
  return handlers;
}

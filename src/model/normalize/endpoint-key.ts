import type { CrudOperation, HttpMethod } from '../system-model.ts';

/** HTTP methods that may serve each generated operation. */
export const METHODS_FOR: Record<CrudOperation, string[]> = {
  create: ['POST'],
  list: ['GET'],
  get: ['GET'],
  update: ['PATCH', 'PUT'],
  delete: ['DELETE'],
};

/** Splits `"GET /links/{id}"` into method, path, parameter names and a shape for duplicate checks. */
export function parseEndpointKey(key: string): { method: HttpMethod; path: string; pathParams: string[]; shape: string } {
  const space = key.indexOf(' ');
  const method = key.slice(0, space) as HttpMethod;
  const path = key.slice(space + 1);
  const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return { method, path, pathParams, shape: path.replace(/\{[^}]+\}/g, '{}').replace(/\/$/, '') };
}

/** Splits `"create Link"` into operation and entity. */
export function parseDoes(does: string): { operation: CrudOperation; entity: string } {
  const [operation, entity] = does.split(' ') as [CrudOperation, string];
  return { operation, entity };
}

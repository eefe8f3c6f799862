import type { SystemModel } from '../model/system-model.ts';

/** An endpoint key with the API base path, as callers see it: "POST /links" -> "POST /api/links". */
export function endpointPath(model: SystemModel, key: string): string {
  const space = key.indexOf(' ');
  return space < 0 ? key : `${key.slice(0, space)} ${model.api.basePath}${key.slice(space + 1)}`;
}

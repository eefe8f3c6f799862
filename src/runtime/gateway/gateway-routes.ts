import type { Endpoint, HttpMethod, SystemModel } from '../../model/system-model.ts';
import type { ServiceRoutes } from '../components/component-plan.ts';
import { privacyRoutes } from '../data/privacy/privacy-paths.ts';
import { authPaths } from '../openapi/auth-operations.ts';
import { Components } from '../openapi/openapi-components.ts';

/** One route the gateway forwards: a spec endpoint, an auth route or a personal-data route. */
export interface GatewayRoute {
  method: HttpMethod;
  /** The route as the spec writes it, relative to the API base path (`/links/{code}`). */
  route: string;
  /** The service that serves it. */
  service: string;
  /** The spec endpoint, whose roles the gateway checks before forwarding. */
  endpoint?: Endpoint;
  /** Login, refresh and logout prove the caller by their body: the gateway ignores Authorization there, as the service does. */
  credentials?: 'body';
}

/**
 * Every route the gateway forwards, with its service. The auth routes are listed from the same
 * table as the OpenAPI document (kept equal to the routes the auth module registers by a test);
 * an operation with no security requirement authenticates by its body.
 */
export function gatewayRoutes(model: SystemModel, forwards: readonly ServiceRoutes[]): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const target of forwards) {
    for (const endpoint of target.endpoints) routes.push({ method: endpoint.method, route: endpoint.route, service: target.service, endpoint });
    if (target.authRoutes) {
      for (const [route, operations] of Object.entries(authPaths(model, new Components(model)))) {
        for (const [method, operation] of Object.entries(operations)) {
          const open = Array.isArray(operation.security) && operation.security.length === 0;
          routes.push({ method: method.toUpperCase() as HttpMethod, route, service: target.service, ...(open ? { credentials: 'body' as const } : {}) });
        }
      }
    }
    if (target.privacyRoutes) {
      for (const r of privacyRoutes(model)) routes.push({ method: r.method, route: r.route, service: target.service });
    }
  }
  return routes;
}

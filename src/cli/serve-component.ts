import type { SystemModel } from '../model/system-model.ts';
import { componentPlan, describePlan, servedModel, UnknownComponentError, type ComponentPlan, type ComponentServing } from '../runtime/components/component-plan.ts';
import { ConfigError, type ServeConfig } from '../runtime/config.ts';
import { serviceAddresses } from '../runtime/gateway/service-addresses.ts';
import { CliError } from './run-command.ts';

/**
 * `archspec serve --component NAME`: which component this process runs, checked before anything
 * is opened, and what the start-up banner says about it.
 */

/** The component a process runs, once named. */
export interface SelectedComponent {
  plan: ComponentPlan;
  /** The model as the process serves it (its endpoints only): configuration checks the secrets of those alone. */
  served: SystemModel;
}

/**
 * The plan of `--component NAME`, or undefined without the flag (every component in one process).
 *
 * @throws CliError listing the spec's components when NAME is not one of them
 */
export function selectComponent(model: SystemModel, name: string | undefined): SelectedComponent | undefined {
  if (name === undefined) return undefined;
  try {
    const plan = componentPlan(model, name);
    return { plan, served: servedModel(model, plan) };
  } catch (e) {
    if (e instanceof UnknownComponentError) throw new CliError(e.message, `pass one of them: --component ${e.known[0] ?? 'NAME'}`);
    throw e;
  }
}

/**
 * The proxies a component service believes by default: loopback and private addresses, where a
 * gateway on the same machine or inside the cluster sits. A caller from a public address that
 * reaches the service directly cannot pass another client address off as its own.
 */
export const GATEWAY_NETWORKS = '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7';

/**
 * What `buildServer` needs for the selected component: a gateway's service addresses
 * (ARCHSPEC_SERVICE_<NAME>_URL, checked now: a bad one is one line naming the variable). A service
 * sits behind the gateway, which sends the client's address as the only X-Forwarded-For entry: with
 * TRUST_PROXY unset, a service believes it from {@link GATEWAY_NETWORKS} (`config.trustProxy`), so
 * its per-IP rate limits and logs see clients, not the gateway.
 */
export function componentServing(selected: SelectedComponent, config: ServeConfig, env: NodeJS.ProcessEnv): ComponentServing {
  const { plan } = selected;
  if (plan.component.kind === 'service' && !env.TRUST_PROXY?.trim()) config.trustProxy = GATEWAY_NETWORKS;
  if (!plan.forwards.length) return { plan };
  try {
    return { plan, upstreams: serviceAddresses(plan.forwards.map((f) => f.service), env, config.port) };
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, e.hint);
    throw e;
  }
}

/**
 * The banner lines about the component (what it serves, where a gateway forwards, what nothing
 * serves) and whether it has an API to list (a worker has none).
 */
export function componentBanner(serving: ComponentServing, env: NodeJS.ProcessEnv): { lines: string[]; api: boolean } {
  const { plan } = serving;
  const lines = [`  component    ${describePlan(plan).replace(/^component /, '')}`];
  for (const target of plan.forwards) {
    const what = [`${target.endpoints.length} endpoint${target.endpoints.length === 1 ? '' : 's'}`, ...(target.authRoutes ? ['auth routes'] : []), ...(target.privacyRoutes ? ['personal-data routes'] : [])];
    lines.push(`  forwards     ${target.service} -> ${serving.upstreams?.get(target.service) ?? '?'} (${what.join(', ')})`);
  }
  if (plan.component.kind === 'service' && !env.TRUST_PROXY?.trim()) lines.push('  clients      X-Forwarded-For from a proxy at a loopback or private address, the gateway (set TRUST_PROXY to change)');
  if (plan.unserved.length) {
    lines.push(`  warning      the spec has no gateway component, so no component process serves ${plan.unserved.map((e) => e.key).join(', ')}`);
  }
  return { lines, api: plan.openApi };
}

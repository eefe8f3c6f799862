import type { SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { code, heading, joined, list, strong, type Block, type Inline } from '../render/doc-tree.ts';
import { capacityPlanSection } from './capacity-plan-section.ts';
import { duration, endpointPath, words } from './format.ts';

const LOAD_BALANCER: Record<SystemModel['scalability']['loadBalancer'], string> = {
  'round-robin': 'requests handed to instances in turn',
  'least-connections': 'each request goes to the instance with the fewest requests in flight',
  'ip-hash': 'a client sticks to one instance chosen by its address',
  weighted: 'instances receive shares of traffic in proportion to their weights',
  'layer7-path': 'requests routed by URL path to the component serving it',
};

const DB_SCALING: Record<SystemModel['scalability']['database']['approach'][number], string> = {
  'read-replicas': 'read replicas',
  sharding: 'sharding',
  partitioning: 'table partitioning',
  vertical: 'vertical scaling (a larger database node)',
  'connection-pooling': 'connection pooling',
};

/**
 * "Scalability Approach": horizontal scaling, database scaling, caching and load balancing as the
 * spec states them, followed by the computed capacity plan.
 */
export function scalabilityApproach(report: DesignReport): Block[] {
  const { model } = report;
  const s = model.scalability;
  const db = s.database;
  const dbDetails = [db.readReplicas ? `${db.readReplicas} read replica${db.readReplicas === 1 ? '' : 's'}` : '', `a pool of ${db.pool} connections per instance`].filter(Boolean);
  const items: Inline[][] = [
    ['Horizontal scaling of ', ...joined(s.horizontal.components.map((c) => [strong(c)]), ', ', ' and '), ' using ', strong(s.horizontal.mechanism),
      `${s.horizontal.metric ? ` (driven by ${s.horizontal.metric})` : ''}, between ${s.instances.min} and ${s.instances.max} instances.`],
    [`Database scaling through ${words(db.approach.map((a) => DB_SCALING[a]))}: ${words(dbDetails)} on the primary `, strong(model.architecture.storage.primary.engine), '.'],
    cachingItem(model),
    ['Load balancing with ', strong(s.loadBalancer), `: ${LOAD_BALANCER[s.loadBalancer]}.`],
  ];
  return [heading(2, 'Scalability Approach'), list(items), ...capacityPlanSection(report)];
}

function cachingItem(model: SystemModel): Inline[] {
  const cache = model.architecture.storage.cache;
  const entries = model.scalability.cache;
  const targets = entries.map((c): Inline[] =>
    c.targetKind === 'entity' ? [strong(c.target), ` records (${duration(c.ttlMs)})`] : [code(endpointPath(model, c.target)), ` responses (${duration(c.ttlMs)})`]);
  if (!entries.length) return ['Caching strategy: nothing is cached', cache ? ` (a ${cache.engine} cache is available).` : '.'];
  return ['Caching strategy using ', strong(cache?.engine ?? 'memory'), ' for ', ...joined(targets, ', ', ' and '), '.'];
}

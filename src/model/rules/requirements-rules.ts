import type { RuleContext } from './rule-context.ts';
import { parseDuration, parsePercent } from '../../spec/units.ts';
import { parseFieldDef } from '../normalize/field-def.ts';

const PERCENTILE_ORDER = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;

/** Traceability targets exist; latency targets grow with the percentile; the request mix is whole. */
export function checkRequirements(ctx: RuleContext): void {
  const req = ctx.spec.requirements;
  if (!req) return;
  for (const [id, fr] of Object.entries(req.functional)) {
    fr.by?.forEach((key, i) => ctx.expect(ctx.endpoints, key, 'requirement_unknown_target', 'endpoint', ['requirements', 'functional', id, 'by', i]));
    fr.flows?.forEach((f, i) => ctx.expect(ctx.flows, f, 'requirement_unknown_target', 'flow', ['requirements', 'functional', id, 'flows', i]));
    fr.jobs?.forEach((j, i) => ctx.expect(ctx.jobs, j, 'requirement_unknown_target', 'job', ['requirements', 'functional', id, 'jobs', i]));
  }

  const nfr = req.nonFunctional;
  for (const [op, targets] of Object.entries(nfr.latency)) {
    let previous: { label: string; ms: number } | undefined;
    for (const label of PERCENTILE_ORDER) {
      const text = targets[label];
      if (!text) continue;
      const ms = parseDuration(text);
      if (previous && ms < previous.ms) {
        ctx.report('percentile_order', `${op} ${label} target ${text} is below its ${previous.label} target; a higher percentile cannot be faster`, ['requirements', 'nonFunctional', 'latency', op, label]);
      }
      previous = { label, ms };
    }
    if (!Object.values(targets).some(Boolean)) {
      ctx.report('field_required', `operation "${op}" has no latency target`, ['requirements', 'nonFunctional', 'latency', op], { hint: 'Give at least one percentile, e.g. p95: 200ms.' });
    }
  }
  if (parsePercent(nfr.availability) >= 1) {
    ctx.report('value_out_of_range', `availability ${nfr.availability} is not achievable: 100% leaves no error budget`, ['requirements', 'nonFunctional', 'availability'], { hint: 'Choose a target below 100%, e.g. 99.95%.' });
  }
  const mix = nfr.traffic?.mix;
  if (mix) {
    const total = Object.values(mix).reduce((s, v) => s + parsePercent(v), 0);
    if (Math.abs(total - 1) > 1e-6) ctx.report('mix_not_whole', `the request mix adds up to ${Math.round(total * 1e4) / 100}%, not 100%`, ['requirements', 'nonFunctional', 'traffic', 'mix']);
    Object.keys(mix).forEach((op) => ctx.expect(ctx.operations, op, 'operation_unknown', 'operation type', ['requirements', 'nonFunctional', 'traffic', 'mix', op], { key: true }));
  }
  checkDataRules(ctx);
}

function checkDataRules(ctx: RuleContext): void {
  const rules = ctx.spec.requirements?.data ?? [];
  // Unknown when the entity's fields cannot be read (an error elsewhere); then nothing is reported.
  const fieldExists = (ref: string): boolean | undefined => {
    const [entity = '', field, extra] = ref.split('.');
    if (!field || extra !== undefined) return false;
    if (!ctx.entities) return undefined;
    if (!ctx.entities.has(entity)) return false;
    const fields = ctx.fieldsOf(entity);
    return fields ? fields.has(field) : undefined;
  };
  rules.forEach((rule, i) => {
    const base = ['requirements', 'data', i];
    const entity = (name: string, path: (string | number)[]) => ctx.expect(ctx.entities, name, 'data_rule_unknown_target', 'entity', path);
    switch (rule.rule) {
      case 'encrypted-at-rest':
        rule.fields.forEach((f, j) => {
          if (fieldExists(f) === false) ctx.report('data_rule_unknown_target', `field "${f}" does not exist; write Entity.field`, [...base, 'fields', j]);
        });
        break;
      case 'retention':
        if (entity(rule.entity, [...base, 'entity'])) checkRetentionAge(ctx, rule.entity, [...base, 'entity']);
        break;
      case 'erasable':
        entity(rule.entity, [...base, 'entity']);
        break;
      case 'audit':
      case 'immutable':
        rule.entities.forEach((n, j) => entity(n, [...base, 'entities', j]));
        break;
      default:
        break;
    }
  });
}

/**
 * The retention purge ages a record by `createdAt` (timestamps on, the default) or else by the
 * entity's first required timestamp field (src/runtime/data/retention.ts applies the same rule);
 * an entity with neither could never be purged.
 */
function checkRetentionAge(ctx: RuleContext, name: string, path: (string | number)[]): void {
  const entity = ctx.spec.data?.[name];
  if (!entity || entity.timestamps !== false) return;
  const aged = Object.values(entity.fields).some((raw) => {
    const f = parseFieldDef(raw);
    return f.type === 'timestamp' && f.required;
  });
  if (!aged) {
    ctx.report('retention_without_age', `${name} has timestamps: false and no required timestamp field, so the retention purge cannot tell how old its records are`, path);
  }
}

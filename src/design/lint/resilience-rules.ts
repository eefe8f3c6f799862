import { percent } from '../analyses/availability-budget.ts';
import { defineRule, type LintRule } from './lint-rule.ts';

/** Availability targets from which a single replica on the request path is flagged. */
const SPOF_FROM = 0.999;

/**
 * A synchronous flow step whose target runs as one replica, when the availability target is 99.9%
 * or more. Integrations are left out: their availability is the provider's, not a replica count.
 * One finding per target, at its first synchronous step.
 */
export const singlePointOfFailure = defineRule({
  id: 'single-point-of-failure',
  severity: 'warning',
  title: 'A synchronous flow step runs as a single replica under an availability target of 99.9% or more',
}, ({ model, availability }, report) => {
  if (availability.target < SPOF_FROM) return;
  const flowsOf = new Map<string, string[]>();
  for (const flow of availability.flows) {
    for (const step of flow.steps) {
      if (step.replicas === 1 && !step.kind.startsWith('integration')) flowsOf.set(step.target, [...(flowsOf.get(step.target) ?? []), flow.flow]);
    }
  }
  for (const [target, flows] of flowsOf) {
    const step = model.flows.flatMap((f) => f.steps).find((s) => s.target === target && !s.async)!;
    report(
      step,
      `${target} runs as a single replica on the request path of ${flows.join(', ')}: one failure stops ` +
        `${flows.length === 1 ? 'that flow' : 'those flows'}, under a ${percent(availability.target)} availability target`,
      `Add resilience.redundancy.${target} with replicas: 2 or more` +
        (step.targetKind === 'component' ? `, or list ${target} in scalability.horizontal.components.` : '.'),
    );
  }
});

/** A flow whose composite availability is below the target (from the availability budget). */
export const availabilityTargetUnreachable = defineRule({
  id: 'availability-target-unreachable',
  severity: 'error',
  title: 'A flow composes to less than the availability target',
}, ({ model, availability }, report) => {
  for (const f of availability.flows.filter((x) => !x.meetsTarget)) {
    const weakest = f.steps.find((s) => s.target === f.weakest);
    const fix = weakest?.kind.startsWith('integration')
      ? `give requirements.integrations.${f.weakest} a fallback that still answers (allow, cached or queue), or choose a more available provider`
      : `add replicas of ${f.weakest} in resilience.redundancy`;
    report(
      model.flows.find((x) => x.name === f.flow)!,
      `${f.flow} composes to ${percent(f.composite, availability.target)}, below the ${percent(availability.target)} availability target; its weakest step is ${f.weakest}`,
      `To reach the target, ${fix}.`,
    );
  }
});

/** No backup data rule and no point-in-time restore: replicas copy a bad write as faithfully as a good one. */
export const singleDatabaseNoBackup = defineRule({
  id: 'single-database-no-backup',
  severity: 'warning',
  title: 'The primary database has neither a backup rule nor point-in-time restore',
}, ({ model }, report) => {
  const backup = model.requirements.data.some((r) => r.rule === 'backup');
  if (backup || model.resilience.recovery.includes('point-in-time-restore')) return;
  const primary = model.architecture.storage.primary;
  report(
    primary,
    `the ${primary.engine} primary database has no backup rule and no point-in-time restore: a replica copies a bad write ` +
      'or a dropped table as faithfully as a good one',
    'Add { rule: backup, rpo: 15m, rto: 1h } to requirements.data, or point-in-time-restore to resilience.recovery.',
  );
});

/** Resilience rules, in the order the docs list them. */
export const RESILIENCE_RULES: readonly LintRule[] = [singlePointOfFailure, availabilityTargetUnreachable, singleDatabaseNoBackup];

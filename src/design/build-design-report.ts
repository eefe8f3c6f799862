import type { SystemModel } from '../model/system-model.ts';
import type { DesignReport } from './design-report.ts';
import { traceability } from './analyses/traceability.ts';
import { capacityPlan } from './analyses/capacity-plan.ts';
import { availabilityBudget } from './analyses/availability-budget.ts';
import { sloAlerting } from './analyses/slo-alerting.ts';
import { latencyBudgets } from './analyses/latency-budget.ts';
import { assumptions } from './analyses/assumptions.ts';
import { lintDesign } from './lint/index.ts';
import { accessMatrix } from './security/access-matrix.ts';
import { complianceMatrices } from './security/compliance/index.ts';
import { threatTables } from './security/threat-model.ts';

/**
 * Runs every design analysis over a model: traceability, capacity plan, availability budget,
 * SLO alerting, latency budgets, access matrix, compliance matrices, threat tables, the design
 * lint (which reads the capacity, availability and latency results) and the list of assumptions.
 * Pure: the same model always gives the same report.
 *
 * @example
 * const report = buildDesignReport(model);
 * report.findings.filter((f) => f.severity === 'error') // design problems to fix
 */
export function buildDesignReport(model: SystemModel): DesignReport {
  const capacity = capacityPlan(model);
  const availability = availabilityBudget(model);
  const latency = latencyBudgets(model);
  return {
    model,
    traceability: traceability(model),
    capacity,
    availability,
    slo: sloAlerting(model),
    latency,
    access: accessMatrix(model),
    compliance: complianceMatrices(model),
    threats: threatTables(model),
    findings: lintDesign(model, { capacity, availability, latency }),
    assumptions: assumptions(model),
  };
}

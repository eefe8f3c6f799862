import type { SourceLocation } from '../diagnostics/diagnostic.ts';
import type { ComplianceStandard, SystemModel } from '../model/system-model.ts';

/**
 * Everything the design document shows beyond what the model states: the computed analyses and the
 * lint findings. Built once by `buildDesignReport(model)`; the Markdown and HTML renderers only format it.
 */
export interface DesignReport {
  model: SystemModel;
  traceability: TraceRow[];
  capacity: CapacityPlan;
  availability: AvailabilityBudget;
  slo: SloAlerting[];
  latency: LatencyBudget[];
  access: AccessMatrix;
  compliance: ComplianceMatrix[];
  threats: ThreatTable[];
  findings: Finding[];
  /** Every figure the analyses used that the spec did not state. */
  assumptions: Assumption[];
}

export interface Assumption {
  what: string;
  value: string;
  /** Spec field that would replace it. */
  field: string;
}

/** One functional requirement and what satisfies it. */
export interface TraceRow {
  id: string;
  text: string;
  endpoints: string[];
  flows: string[];
  jobs: string[];
  satisfied: boolean;
}

// ---- capacity -------------------------------------------------------------------------------

export interface CapacityMonth {
  month: number;
  concurrentUsers: number;
  /** Peak requests per second over all operation types. */
  peakRps: number;
  /** Operation type -> peak requests per second. */
  rpsByOperation: Record<string, number>;
  /** Instances needed to meet every latency target at this month's peak (sum over operation types, each sized for its strictest target), or undefined if infeasible. */
  instances?: number;
  /** Database connections in flight at peak (Little's law). */
  dbConnections: number;
}

export interface CapacityTargetResult {
  operation: string;
  /** e.g. "p95". */
  percentile: string;
  targetMs: number;
  serviceTimeMs: number;
  /** At the horizon's peak. */
  arrivalRate: number;
  feasible: boolean;
  /** Servers (Erlang C) and instances (servers / serversPerInstance, at least instances.min) when feasible. */
  servers?: number;
  instances?: number;
  achievedMs?: number;
  /** When infeasible: why, e.g. the service-time floor. */
  reason?: string;
}

export interface CapacityPlan {
  /** Months 0..horizon. */
  months: CapacityMonth[];
  /** Per latency target, at the horizon's peak load. */
  targets: CapacityTargetResult[];
  /** Instances at launch and at the horizon (sum over operation types of each one's need, at least instances.min). */
  instancesAtLaunch: number;
  instancesAtHorizon: number;
  /** Whether the horizon needs more than scalability.instances.max. */
  exceedsMax: boolean;
  /** DB connections in flight at the horizon's peak vs. pool capacity (pool x instances). */
  dbConnectionsAtHorizon: number;
  dbPoolCapacityAtHorizon: number;
  serviceTimeSource: 'assumed' | 'measured';
  /** Plain-language statements of the method, shown above the tables. */
  method: string[];
}

// ---- availability ---------------------------------------------------------------------------

export interface DowntimeRow {
  availability: number;
  perDayMs: number;
  perWeekMs: number;
  perMonthMs: number;
  perYearMs: number;
}

export interface AvailabilityStep {
  target: string;
  kind: string;
  /** One instance. */
  availability: number;
  assumed: boolean;
  replicas: number;
  /** With redundancy: 1 - (1-a)^replicas; 1 for an integration whose fallback answers the caller (fails open). */
  effective: number;
}

export interface FlowAvailability {
  flow: string;
  /** Synchronous steps only (async steps are off the request path), each target counted once. */
  steps: AvailabilityStep[];
  composite: number;
  meetsTarget: boolean;
  /** The step contributing most unavailability. */
  weakest?: string;
}

export interface AvailabilityBudget {
  target: number;
  allowance: DowntimeRow;
  flows: FlowAvailability[];
  /** True when every flow's composite availability meets the target. */
  reachable: boolean;
  verdict: string;
}

// ---- SLO alerting ---------------------------------------------------------------------------

export interface SloAlertRow {
  severity: 'page' | 'ticket';
  longWindow: string;
  shortWindow: string;
  burnRate: number;
  budgetConsumed: number;
  /** Error (or slow-request) ratio that fires the alert. */
  threshold: number;
  feasible: boolean;
}

export interface SloAlerting {
  /** e.g. "availability 99.95%" or "read p95 under 50 ms". */
  slo: string;
  kind: 'availability' | 'latency';
  /** Good-event objective as a fraction (0.9995, or 0.95 for a p95 target). */
  objective: number;
  windowDays: number;
  alerts: SloAlertRow[];
}

// ---- latency budget -------------------------------------------------------------------------

export interface LatencyBudgetStep {
  target: string;
  kind: string;
  /** Budget allotted to this step. */
  budgetMs: number;
  /** Whether the user fixed this budget in the spec. */
  explicit: boolean;
  /** Typical latency used to weigh the split (stated or assumed). */
  typicalMs: number;
  /** For integrations: the configured timeout, if any, and the worst case with retries. */
  timeoutMs?: number;
  worstCaseMs?: number;
}

export interface LatencyBudget {
  flow: string;
  operation: string;
  /** e.g. "p95". */
  percentile: string;
  targetMs: number;
  steps: LatencyBudgetStep[];
  /** Sum of typical latencies of the synchronous steps. */
  typicalTotalMs: number;
  feasible: boolean;
  /** Why it is infeasible, or a caution (e.g. an integration timeout larger than its budget). */
  notes: string[];
}

// ---- security -------------------------------------------------------------------------------

export interface AccessMatrix {
  roles: string[];
  /** One row per endpoint: role -> 'yes' | 'own' | 'no'; plus anonymous access. */
  rows: { endpoint: string; public: boolean; access: Record<string, 'yes' | 'own' | 'no'> }[];
}

export interface ComplianceControl {
  /** Control reference, e.g. "Art. 32" or "164.312(a)(2)(iv)" or "Req. 3.5". */
  id: string;
  title: string;
  /** What in the spec satisfies it (empty when nothing does). */
  satisfiedBy: string[];
  status: 'met' | 'partial' | 'gap';
  /** What to add to the spec (or do outside it) to close the gap. */
  gap?: string;
}

export interface ComplianceMatrix {
  standard: ComplianceStandard;
  controls: ComplianceControl[];
}

export interface Threat {
  category: 'Spoofing' | 'Tampering' | 'Repudiation' | 'Information disclosure' | 'Denial of service' | 'Elevation of privilege';
  threat: string;
  mitigation: string;
  /** Whether the spec declares the mitigation. */
  mitigated: boolean;
}

export interface ThreatTable {
  component: string;
  kind: string;
  threats: Threat[];
}

// ---- lint -----------------------------------------------------------------------------------

export interface Finding {
  /** Stable rule id, kebab-case, e.g. "single-point-of-failure". */
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** How to fix it. */
  hint: string;
  at: SourceLocation;
  path: string;
}

import type { Deployment } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { heading, joined, list, strong, type Block, type Inline } from '../render/doc-tree.ts';
import { words } from './format.ts';

const IAC: Record<Deployment['iac'][number], string> = {
  kubernetes: 'Kubernetes manifests',
  terraform: 'Terraform',
  helm: 'Helm charts',
  'docker-compose': 'Docker Compose',
};

const CICD: Record<Deployment['cicd'], string> = {
  'github-actions': 'GitHub Actions',
  'gitlab-ci': 'GitLab CI',
};

const STRATEGY: Record<Deployment['rollback']['strategy'], string> = {
  canary: 'a canary release sends a small share of traffic to the new version first and widens it step by step',
  'blue-green': 'the new version starts beside the old one and traffic switches over at once, and back just as fast',
  rolling: 'instances are replaced a few at a time',
};

const TRIGGER: Record<Deployment['rollback']['on'][number], string> = {
  'slo-burn': 'the SLO error budget burning too fast',
  'failed-readiness': 'new instances failing their readiness probes',
  'error-rate': 'the error rate rising above the previous version\'s',
  latency: 'latency rising above its targets',
  'crash-loop': 'new instances crash-looping',
  'failed-migration': 'a database migration failing',
};

/**
 * "Deployment Strategy": infrastructure as code, the CI/CD pipeline, environments in promotion
 * order (and the region), the release strategy and what triggers a rollback.
 */
export function deploymentStrategy(report: DesignReport): Block[] {
  const d = report.model.deployment;
  const envs = d.environments;
  const promotion = envs.length > 1 ? `${envs.join(' → ')}: every change is promoted through them in this order, production last` : `${envs[0]} only`;
  const items: Inline[][] = [
    ['Infrastructure as Code using ', ...joined(d.iac.map((t) => [strong(IAC[t])]), ' and '), '.'],
    ['CI/CD pipeline with ', strong(CICD[d.cicd]), ': build, test, check the spec, then deploy.'],
    [`Environment strategy: ${promotion}${d.region ? `; deployed in region ${d.region}` : ''}.`],
    ['Rollback procedures for ', ...joined(d.rollback.on.map((t) => [TRIGGER[t]]), ', '), ': ', strong(d.rollback.strategy), ` (${STRATEGY[d.rollback.strategy]}); the release is rolled back automatically on ${words(d.rollback.on)}.`],
  ];
  return [heading(2, 'Deployment Strategy'), list(items)];
}

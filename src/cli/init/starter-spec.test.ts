import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COMPLIANCE_STANDARDS } from '../../spec/schema/index.ts';
import { parseYamlSpec } from '../../spec/parse-yaml.ts';
import { analyze } from '../../model/analyze.ts';
import { STARTER_STYLES, recommendedAnswers, type InitAnswers } from './answers.ts';
import { starterSpec } from './starter-spec.ts';

function validate(answers: InitAnswers) {
  const { document, problems } = parseYamlSpec(starterSpec(answers), 'archspec.yaml');
  expect(problems).toEqual([]);
  const { model, diagnostics } = analyze(document!);
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`)).toEqual([]);
  return model!;
}

describe('starterSpec', () => {
  it.each(STARTER_STYLES)('writes a valid %s spec from the recommended answers', (style) => {
    const model = validate({ ...recommendedAnswers('shop'), style });
    expect(model.architecture.style).toBe(style);
    expect(model.entities.map((e) => e.name)).toEqual(['User', 'Item']);
    expect(model.api.endpoints.filter((e) => e.entity === 'Item').map((e) => e.operation).sort()).toEqual(['create', 'delete', 'get', 'list', 'update']);
    expect(model.jobs).toHaveLength(1);
    expect(model.events[0]!.consumers).toEqual(['worker']);
  });

  it.each(STARTER_STYLES)('writes a valid %s spec with every compliance standard', (style) => {
    const model = validate({ ...recommendedAnswers('x', 'OrderItem'), style, compliance: [...COMPLIANCE_STANDARDS], availability: '99.99%' });
    expect(model.requirements.nonFunctional.compliance).toEqual([...COMPLIANCE_STANDARDS]);
    expect(model.requirements.data.map((r) => r.rule)).toEqual(expect.arrayContaining(['erasable', 'residency', 'retention']));
    expect(model.api.auth.mfa).toBe(true);
    expect(model.resilience.redundancy.filter((r) => r.target !== 'worker').every((r) => r.replicas === 3)).toBe(true);
    expect(model.security.protections).toContain('card-testing');
    expect(model.api.auth.loginLimit?.text).toBe('10/hour');
  });

  it('keeps odd names and punctuation exactly', () => {
    const answers = { ...recommendedAnswers('x'), name: 'My Shop 2', type: 'yes', purpose: 'sell: things, "fast" # really' };
    const model = validate(answers);
    expect(model.system).toEqual({ name: 'My Shop 2', type: 'yes', purpose: 'sell: things, "fast" # really' });
  });

  it('names paths, components and events after the entity', () => {
    const model = validate({ ...recommendedAnswers('x', 'Category'), style: 'microservices' });
    expect(model.api.endpoints.map((e) => e.key)).toContain('GET /categories/{id}');
    expect(model.architecture.components.map((c) => c.name)).toContain('category-service');
    expect(model.events.map((e) => e.name)).toEqual(['category.created']);
    expect(model.architecture.components.find((c) => c.name === 'category-service')!.owns).toEqual(['Category']);
  });

  it('is valid for any acceptable answers', () => {
    const text = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0);
    const entity = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/).filter((e) => e !== 'User');
    fc.assert(
      fc.property(text, text, entity, fc.constantFrom(...STARTER_STYLES), fc.integer({ min: 1, max: 1e7 }), fc.subarray([...COMPLIANCE_STANDARDS]),
        fc.constantFrom('90%', '99%', '99.9%', '99.95%', '99.99%', '99.999%'), fc.constantFrom('0%/month', '5%/month', '-2%/month', '40%/year'),
        (name, purpose, ent, style, users, compliance, availability, growth) => {
          validate({ name: name.trim(), type: 'backend', purpose: purpose.trim(), entity: ent, style, users, compliance, availability, growth });
        }),
      { numRuns: 60 },
    );
  });
});

describe('archspec init (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'archspec-init-'));
  const bin = resolve(import.meta.dirname, '../../../bin/archspec.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'init', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a valid spec without asking when stdin is not a terminal, and refuses to overwrite it without --force', () => {
    const first = run('--yes', '--name', 'X');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`archspec design ${join(dir, 'archspec.yaml')} -o design.html`);
    const file = join(dir, 'archspec.yaml');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}name: X$/m);

    const second = run('--name', 'Second');
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}name: X$/m);

    const forced = run('--force', '--name', 'Second');
    expect(forced.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}name: Second$/m);
  }, 60_000);
});

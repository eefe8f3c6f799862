import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/diagnostics/catalogue.ts';

/** docs/errors.md documents every catalogue code under a `## code` heading, and nothing else (API errors follow under their own `# API errors` heading, checked by api-errors.test.ts). */
const DOC = readFileSync(fileURLToPath(new URL('../docs/errors.md', import.meta.url)), 'utf8').split(/^# API errors/m)[0]!;
const SECTIONS = DOC.split(/^## /m).slice(1).map((s) => {
  const [heading = '', ...body] = s.split('\n');
  return { code: heading.trim(), body: body.join('\n') };
});
const CODES = Object.keys(CATALOGUE);

describe('diagnostic catalogue and docs/errors.md', () => {
  it('documents every catalogue code', () => {
    const documented = new Set(SECTIONS.map((s) => s.code));
    expect(CODES.filter((c) => !documented.has(c))).toEqual([]);
  });

  it('documents no code the catalogue lacks', () => {
    expect(SECTIONS.map((s) => s.code).filter((c) => !(c in CATALOGUE))).toEqual([]);
  });

  it('documents each code once', () => {
    const headings = SECTIONS.map((s) => s.code);
    expect(headings.filter((c, i) => headings.indexOf(c) !== i)).toEqual([]);
  });

  it.each(CODES)('%s: says what it means, shows the mistake and how to fix it', (code) => {
    const section = SECTIONS.find((s) => s.code === code);
    expect(section).toBeDefined();
    const prose = section!.body.replace(/```[\s\S]*?```/g, '').trim();
    expect(prose.length).toBeGreaterThan(40);
    expect(section!.body).toMatch(/```(yaml|ts)\n[\s\S]+?\n```/);
    expect(section!.body).toMatch(/^Fix: \S/m);
  });

  it('gives every code a severity, a title and a hint', () => {
    for (const [code, entry] of Object.entries(CATALOGUE)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)+$/);
      expect(['error', 'warning']).toContain(entry.severity);
      expect(entry.title.trim()).not.toBe('');
      expect(entry.hint.trim()).not.toBe('');
    }
  });
});

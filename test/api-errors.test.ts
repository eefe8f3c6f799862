import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ERRORS } from '../src/runtime/api-error.ts';

/** docs/errors.md documents every API error code under "# API errors (problem+json)" as `### code`, and nothing else. */
const DOC = readFileSync(fileURLToPath(new URL('../docs/errors.md', import.meta.url)), 'utf8');
const API_PART = DOC.split(/^# API errors \(problem\+json\)$/m)[1] ?? '';
const SECTIONS = API_PART.split(/^### /m).slice(1).map((s) => {
  const [heading = '', ...body] = s.split('\n');
  return { code: heading.trim(), body: body.join('\n').trim() };
});

describe('API error codes and docs/errors.md', () => {
  it('has an API errors part', () => {
    expect(API_PART.length).toBeGreaterThan(0);
  });

  it('documents every API error code, once', () => {
    const documented = SECTIONS.map((s) => s.code);
    expect(Object.keys(API_ERRORS).filter((c) => !documented.includes(c))).toEqual([]);
    expect(documented.filter((c, i) => documented.indexOf(c) !== i)).toEqual([]);
  });

  it('documents no code the API does not have', () => {
    expect(SECTIONS.map((s) => s.code).filter((c) => !(c in API_ERRORS))).toEqual([]);
  });

  it.each(Object.entries(API_ERRORS))('%s: starts with its status and says how to fix it', (code, { status }) => {
    const section = SECTIONS.find((s) => s.code === code);
    expect(section?.body.startsWith(`${status}. `)).toBe(true);
    expect(section?.body).toMatch(/Fix: \S/);
  });
});

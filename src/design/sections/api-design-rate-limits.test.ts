import { describe, expect, it } from 'vitest';
import { buildDesignReport } from '../build-design-report.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import { apiDesign } from './api-design.ts';

/** The API Design row of `key` in Linkly's design document, after `mutate`. */
function row(mutate: (spec: any) => void, key: string): string {
  const md = renderMarkdown({ title: 'Linkly', blocks: apiDesign(buildDesignReport(linklyModel(mutate))) });
  const [method, path] = key.split(' ');
  const found = md.split('\n').find((line) => line.startsWith(`| \`${method} /api${path}\``));
  if (!found) throw new Error(`no row for ${key} in:\n${md}`);
  return found;
}

describe('API Design: rate limits', () => {
  it('renders the string form per caller, as before', () => {
    expect(row(() => {}, 'POST /links')).toContain('60/min per caller');
  });

  it('renders each budget of the mapping with its scope', () => {
    const line = row((s) => { s.api.endpoints['GET /links'].rateLimit = { ip: '600/min', user: '60/min', endpoint: '5000/min' }; }, 'GET /links');
    expect(line).toContain('60/min per user, 600/min per IP and 5000/min for the whole endpoint');
  });
});

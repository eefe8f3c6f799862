import { describe, expect, it } from 'vitest';
import { code, codes, heading, joined, plainText, slug, table, uniqueHeadingIds } from './doc-tree.ts';

describe('doc tree', () => {
  it('slugs headings the way GitHub anchors them', () => {
    expect(slug('Resilience and Fault Tolerance')).toBe('resilience-and-fault-tolerance');
    expect(slug('Threat model (STRIDE)')).toBe('threat-model-stride');
    expect(slug('Flow: place-order')).toBe('flow-place-order');
    expect(slug('Threats: gateway (gateway)')).toBe('threats-gateway-gateway');
  });

  it('numbers repeated heading ids like GitHub: x, x-1, x-2', () => {
    const ids = uniqueHeadingIds([heading(3, 'Alerts'), heading(3, 'Alerts'), heading(3, 'Alerts')]).map((b) => (b.kind === 'heading' ? b.id : ''));
    expect(ids).toEqual(['alerts', 'alerts-1', 'alerts-2']);
  });

  it('marks columns whose title ends in > as right-aligned and drops the marker', () => {
    const t = table(['Name', 'Rate>'], []);
    expect(t.kind === 'table' && t.columns).toEqual([{ title: 'Name', align: 'left' }, { title: 'Rate', align: 'right' }]);
  });

  it('joins groups with a separator and an optional last separator', () => {
    expect(plainText(joined([['a'], ['b'], ['c']], ', ', ' and '))).toBe('a, b and c');
    expect(codes(['x', 'y'])).toEqual([code('x'), ', ', code('y')]);
  });
});

import { describe, expect, it } from 'vitest';
import { RouteTable } from './route-table.ts';

describe('RouteTable', () => {
  it('knows which methods serve a concrete path', () => {
    const table = new RouteTable();
    table.add('/api/links', ['GET']);
    table.add('/api/links', ['POST']);
    table.add('/api/links/:code', ['GET', 'PATCH', 'DELETE']);
    expect(table.methodsAt('/api/links')).toEqual(['GET', 'POST']);
    expect(table.methodsAt('/api/links/abc')).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(table.methodsAt('/api/links/abc/visits')).toEqual([]);
    expect(table.methodsAt('/api/link')).toEqual([]);
  });

  it('treats regex characters in paths literally', () => {
    const table = new RouteTable();
    table.add('/openapi.json', ['GET']);
    expect(table.methodsAt('/openapi.json')).toEqual(['GET']);
    expect(table.methodsAt('/openapiXjson')).toEqual([]);
  });
});

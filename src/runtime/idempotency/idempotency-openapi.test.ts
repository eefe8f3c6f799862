import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../openapi/openapi-document.ts';
import { exampleModel } from '../test-support/example-models.ts';

describe('the OpenAPI document', () => {
  it('offers the Idempotency-Key header on idempotent POSTs only', async () => {
    const doc = openApiDocument(await exampleModel('payments')) as any;
    const headers = (op: any) => (op.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name);
    expect(headers(doc.paths['/orders'].post)).toContain('Idempotency-Key');
    expect(headers(doc.paths['/users'].post)).toContain('Idempotency-Key');
    expect(headers(doc.paths['/webhooks/processor'].post)).toContain('Idempotency-Key');
    expect(doc.paths['/orders'].post.parameters.find((p: any) => p.name === 'Idempotency-Key')).toMatchObject({ required: false, schema: { maxLength: 255 } });
    // Not idempotent in the spec, or not a POST.
    expect(headers(doc.paths['/products/{id}'].patch)).not.toContain('Idempotency-Key');
    expect(headers(doc.paths['/orders'].get)).not.toContain('Idempotency-Key');
  });
});

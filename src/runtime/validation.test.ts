import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exampleModel } from './test-support/example-models.ts';
import { invalidParams, nullableFieldSchema, objectSchema, validatorCompiler } from './validation.ts';

const compile = (schema: Record<string, unknown>, httpPart: 'body' | 'querystring') =>
  validatorCompiler({ schema, httpPart, method: 'POST', url: '/' } as never) as unknown as ((v: unknown) => boolean) & { errors: never[] };

describe('validation from the model', () => {
  it('accepts only http and https URLs for url fields', async () => {
    const model = await exampleModel('linkly');
    const target = model.entities.find((e) => e.name === 'Link')!.fields.find((f) => f.name === 'target')!;
    const validate = compile(objectSchema({ target: nullableFieldSchema(model, target) }), 'body');
    expect(validate({ target: 'https://example.org/a' })).toBe(true);
    for (const bad of ['javascript:alert(1)', 'ftp://example.org', 'not a url']) {
      expect(validate({ target: bad })).toBe(false);
      expect(invalidParams(validate.errors, 'body')).toEqual([{ pointer: '/target', detail: expect.any(String) }]);
    }
  });

  it('never coerces body values but coerces query strings', () => {
    const schema = objectSchema({ n: { type: 'integer' } });
    expect(compile(schema, 'body')({ n: '5' })).toBe(false);
    const query = { n: '5' };
    expect(compile(schema, 'querystring')(query)).toBe(true);
    expect(query.n).toBe(5);
  });

  it('points at missing and unknown properties, prefixed by the request part', () => {
    const validate = compile(objectSchema({ a: { type: 'string' } }, ['a']), 'querystring');
    expect(validate({ b: '1' })).toBe(false);
    expect(invalidParams(validate.errors, 'querystring')).toEqual([
      { pointer: '/query/a', detail: 'is required' },
      { pointer: '/query/b', detail: 'is not a known field' },
    ]);
  });

  it('reports one entry per pointer for any wrong value of a nullable decimal', async () => {
    const model = await exampleModel('payments');
    const price = model.entities.find((e) => e.name === 'Product')!.fields.find((f) => f.name === 'unitPrice')!;
    const validate = compile(objectSchema({ price: nullableFieldSchema(model, price) }), 'body');
    fc.assert(fc.property(fc.oneof(fc.boolean(), fc.string().filter((s) => !/^-?\d+(\.\d+)?$/.test(s)), fc.object()), (value) => {
      if (validate({ price: value })) return false;
      return invalidParams(validate.errors, 'body').length === 1;
    }));
    expect(validate({ price: '12.50' })).toBe(true);
    expect(validate({ price: null })).toBe(price.required ? false : true);
  });
});

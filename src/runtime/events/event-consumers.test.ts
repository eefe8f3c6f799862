import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
import { HandlerLoadError } from '../handlers/load-handlers.ts';
import { loadEventConsumers, subscriptionsOf } from './event-consumers.ts';

const dir = mkdtempSync(join(tmpdir(), 'archspec-consumers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('event consumers', () => {
  it('are the components\' handlers: one subscription per component and event, loaded at start', async () => {
    const model = editedSpecModel('examples/payments/archspec.yaml', undefined, 'payments');
    expect(subscriptionsOf(model).filter((s) => s.event === 'payment.captured').map((s) => s.consumer).sort()).toEqual(['ledger', 'notifications', 'orders']);
    const consumers = await loadEventConsumers(model, 'examples/payments');
    expect(consumers).toHaveLength(subscriptionsOf(model).length);
    expect(consumers.find((c) => c.consumer === 'orders' && c.event === 'payment.captured')).toMatchObject({ file: './handlers/mark-order-paid.ts', handler: expect.any(Function) });
  });

  it('stop start-up naming a module whose default export is not a function', async () => {
    const file = join(dir, 'not-a-function.ts');
    writeFileSync(file, 'export default { handle() {} };\n');
    const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => { s.architecture.components.analytics.handlers['link.visited'] = file; }, 'linkly');
    const loading = loadEventConsumers(model, 'examples/linkly');
    await expect(loading).rejects.toThrow(HandlerLoadError);
    await expect(loadEventConsumers(model, 'examples/linkly')).rejects.toThrow(`cannot load handler ${file}: its default export is not a function`);
  });
});

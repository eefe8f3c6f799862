import { fromMinor, toMinor } from './lib/money.ts';

// Job (settlement, 23:15 New York): close the day's batch. Our own totals of captures and refunds since the
// previous batch's cut-off are compared with the processor's; a difference is recorded as a discrepancy, never papered over.
// The batch date is the idempotency key, so a retried run gets the same batch back from the processor.
export default async function runSettlement(ctx: any) {
  const cutoff = new Date().toISOString();
  const batchDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
  const previous = await ctx.db.list('Settlement', {}, { orderBy: '-periodEnd', limit: 1 });
  if (previous.items[0]?.batchDate === batchDate) return { skipped: `batch ${batchDate} already settled` };
  const since = previous.items[0]?.periodEnd ?? new Date(0).toISOString();

  const window = { gte: since, lt: cutoff };
  const captured = await ctx.db.list('Payment', { capturedAt: window }, { limit: 100_000 });
  const refunded = await ctx.db.list('Refund', { status: 'succeeded', updatedAt: window }, { limit: 100_000 });
  const ours = new Map<string, { gross: bigint; refunds: bigint; payments: number; refundCount: number }>();
  const totals = (currency: string) => {
    if (!ours.has(currency)) ours.set(currency, { gross: 0n, refunds: 0n, payments: 0, refundCount: 0 });
    return ours.get(currency)!;
  };
  for (const p of captured.items) {
    const t = totals(p.currency);
    t.gross += toMinor(p.amount);
    t.payments += 1;
  }
  for (const r of refunded.items) {
    const t = totals(r.currency);
    t.refunds += toMinor(r.amount);
    t.refundCount += 1;
  }

  const batch = await ctx.integrations.cardprocessor.post('/batches/close', { date: batchDate, until: cutoff }, { idempotencyKey: `batch:${batchDate}` });
  const settlements = [];
  for (const theirs of batch.currencies as { id: string; currency: string; gross: string; refunds: string; fees: string }[]) {
    const mine = totals(theirs.currency);
    const matches = mine.gross === toMinor(theirs.gross) && mine.refunds === toMinor(theirs.refunds);
    const net = toMinor(theirs.gross) - toMinor(theirs.refunds) - toMinor(theirs.fees);
    const settlement = await ctx.db.create('Settlement', {
      batchDate, periodStart: since, periodEnd: cutoff, currency: theirs.currency, status: matches ? 'settled' : 'discrepancy',
      paymentCount: mine.payments, refundCount: mine.refundCount,
      grossAmount: theirs.gross, refundAmount: theirs.refunds, feeAmount: theirs.fees, netAmount: fromMinor(net),
      processorBatchId: theirs.id, settledAt: matches ? new Date().toISOString() : undefined,
    });
    if (matches) {
      await ctx.emit('settlement.completed', {
        settlement: settlement.id, batchDate, currency: theirs.currency, gross: theirs.gross, refunds: theirs.refunds, fees: theirs.fees, net: fromMinor(net),
      });
    }
    settlements.push({ currency: theirs.currency, status: settlement.status });
  }
  return { batchDate, settlements };
}

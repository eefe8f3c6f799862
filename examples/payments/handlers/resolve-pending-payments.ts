import { applyOutcome } from './lib/payment-outcome.ts';

// Job (payments, every 10 minutes): a payment still pending after 15 minutes lost its answer to a timeout
// or a crash. The processor is asked by our reference (the idempotency key), so the answer is the one charge
// that happened, or "not found" when the request never reached it.
export default async function resolvePendingPayments(ctx: any) {
  const cutoff = new Date(Date.now() - 15 * 60_000).toISOString();
  const stuck = await ctx.db.list('Payment', { status: 'pending', createdAt: { lt: cutoff } }, { limit: 500 });
  let resolved = 0;
  for (const payment of stuck.items) {
    const outcome = await ctx.integrations.cardprocessor.post('/charges/lookup', { reference: payment.id });
    if (await applyOutcome(ctx, payment, outcome)) resolved += 1;
  }
  return { checked: stuck.items.length, resolved };
}

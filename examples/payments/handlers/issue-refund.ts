import { fromMinor, toMinor } from './lib/money.ts';

// Custom endpoint: refund all or part of a captured payment. The payment row is locked, so two concurrent
// refunds cannot together exceed what was captured; the refund id is the processor's idempotency key.
export default async function issueRefund(ctx: any) {
  const payment = await ctx.db.get('Payment', ctx.params.payment, { forUpdate: true });
  if (!payment) return ctx.notFound();
  if (payment.status !== 'captured' && payment.status !== 'partially-refunded') return ctx.problem(409, 'not_refundable', `the payment is ${payment.status}`);
  const amount = toMinor(ctx.body.amount);
  const remaining = toMinor(payment.amount) - toMinor(payment.refundedAmount);
  if (amount <= 0n || amount > remaining) {
    return ctx.problem(422, 'refund_exceeds_capture', `at most ${fromMinor(remaining)} ${payment.currency} can be refunded`);
  }

  const refund = await ctx.db.create('Refund', {
    payment: payment.id, customer: payment.customer, issuedBy: ctx.user.id, amount: fromMinor(amount), currency: payment.currency, reason: ctx.body.reason,
  });
  const result = await ctx.integrations.cardprocessor.post('/refunds', {
    charge: payment.processorRef, amount: fromMinor(amount), currency: payment.currency, reference: refund.id,
  }, { idempotencyKey: refund.id });
  if (result.status !== 'succeeded') {
    await ctx.db.update('Refund', refund.id, { status: 'failed' });
    return ctx.problem(502, 'refund_failed', result.reason ?? 'the processor refused the refund');
  }

  const refunded = toMinor(payment.refundedAmount) + amount;
  await ctx.db.update('Payment', payment.id, {
    refundedAmount: fromMinor(refunded), status: refunded === toMinor(payment.amount) ? 'refunded' : 'partially-refunded',
  });
  const done = await ctx.db.update('Refund', refund.id, { status: 'succeeded', processorRef: result.id });
  await ctx.emit('refund.issued', { refund: refund.id, payment: payment.id, order: payment.order, amount: done.amount, currency: done.currency });
  return ctx.created(done, `/refunds/${refund.id}`);
}

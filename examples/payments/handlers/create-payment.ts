import { applyOutcome, type ChargeOutcome } from './lib/payment-outcome.ts';

// Custom endpoint: charge an order with a card token from the processor's hosted fields.
// Order of operations matters for "charged at most once": the pending Payment is written first and its id
// is the processor's idempotency key, so a retry, a timeout or a crash can always be resolved to one charge.
export default async function createPayment(ctx: any) {
  const order = await ctx.db.get('Order', ctx.body.order, { forUpdate: true });
  if (!order || order.customer !== ctx.user.id) return ctx.notFound();
  if (order.status !== 'placed' && order.status !== 'payment-failed') return ctx.problem(409, 'order_not_payable', `the order is ${order.status}`);

  // Card testing: many declines from one account in an hour look like someone trying stolen cards.
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const declines = await ctx.db.list('Payment', { customer: ctx.user.id, status: 'failed', createdAt: { gt: hourAgo } }, { limit: 5 });
  if (declines.items.length >= 5) return ctx.problem(429, 'too_many_declines', 'too many declined payments; try again later');
  const pending = await ctx.db.list('Payment', { order: order.id, status: 'pending' }, { limit: 1 });
  if (pending.items.length) return ctx.problem(409, 'payment_in_flight', 'a payment for this order is being processed');

  const payment = await ctx.db.create('Payment', {
    order: order.id, customer: ctx.user.id, amount: order.total, currency: order.currency, processorToken: ctx.body.processorToken,
  });
  // Fail open: the fraud integration's fallback (allow) resolves to null when it is down or slow.
  const risk = await ctx.integrations.fraudcheck.post('/scores', {
    reference: payment.id, customer: ctx.user.id, amount: order.total, currency: order.currency, ip: ctx.ip,
  });
  await ctx.db.update('Payment', payment.id, { riskScore: risk?.score, reviewRequired: risk === null || risk.score >= 60 });
  if (risk && risk.score >= 85) {
    await applyOutcome(ctx, payment, { status: 'declined', declineCode: 'risk_declined' });
    return ctx.problem(402, 'payment_declined', 'the payment was declined');
  }

  let outcome: ChargeOutcome;
  try {
    outcome = await ctx.integrations.cardprocessor.post('/charges', {
      reference: payment.id, token: ctx.body.processorToken, amount: order.total, currency: order.currency, capture: true,
    }, { idempotencyKey: payment.id });
  } catch {
    // Timeout or processor down: the outcome is unknown, so the payment stays pending and
    // resolve-pending-payments (or the processor's webhook) settles it; the shopper is never charged twice.
    return ctx.problem(503, 'payment_pending', 'the payment could not be confirmed yet; check the order status shortly');
  }
  const updated = await applyOutcome(ctx, payment, outcome);
  if (outcome.status !== 'succeeded') return ctx.problem(402, 'payment_declined', outcome.declineCode ?? 'the card was declined');
  return ctx.created(updated, `/payments/${payment.id}`);
}

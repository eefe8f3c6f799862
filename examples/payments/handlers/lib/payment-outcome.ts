// Applies a processor outcome to a pending payment: the one place where a payment becomes captured or
// failed, shared by the checkout, the processor's webhook and the pending-payment resolver. Only pending
// payments change, so a replayed webhook or a second resolver run is a no-op.

/** What the processor reports about one charge. */
export interface ChargeOutcome {
  status: 'succeeded' | 'declined' | 'not-found';
  chargeId?: string;
  cardBrand?: string;
  last4?: string;
  declineCode?: string;
}

/** Returns the updated payment, or undefined when it was no longer pending. */
export async function applyOutcome(ctx: any, payment: any, outcome: ChargeOutcome): Promise<any> {
  if (payment.status !== 'pending') return undefined;
  if (outcome.status === 'succeeded') {
    const capturedAt = new Date().toISOString();
    const updated = await ctx.db.update('Payment', payment.id, {
      status: 'captured', processorRef: outcome.chargeId, cardBrand: outcome.cardBrand ?? 'other', cardLast4: outcome.last4, capturedAt,
    });
    await ctx.emit('payment.captured', {
      payment: payment.id, order: payment.order, customer: payment.customer, amount: payment.amount, currency: payment.currency, capturedAt,
    });
    return updated;
  }
  const reason = outcome.status === 'declined' ? outcome.declineCode ?? 'declined' : 'not_submitted';
  const updated = await ctx.db.update('Payment', payment.id, { status: 'failed', failureCode: reason });
  await ctx.emit('payment.failed', { payment: payment.id, order: payment.order, customer: payment.customer, reason });
  return updated;
}

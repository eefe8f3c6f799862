// Event consumer (orders): reflect a refund on the order, from the payment's refunded total (not the event's
// amount), so redelivered or reordered events converge on the same status.
export default async function markOrderRefunded(event: { refund: string; payment: string; order: string }, ctx: any) {
  const payment = await ctx.db.get('Payment', event.payment);
  if (!payment) return;
  const status = payment.status === 'refunded' ? 'refunded' : 'partially-refunded';
  await ctx.db.update('Order', event.order, { status });
}

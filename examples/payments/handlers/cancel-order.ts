// Custom endpoint: cancel an order nobody has paid and no payment is in flight for.
export default async function cancelOrder(ctx: any) {
  const order = await ctx.db.get('Order', ctx.params.id, { forUpdate: true });
  if (!order || (ctx.user.role === 'customer' && order.customer !== ctx.user.id)) return ctx.notFound();
  if (order.status !== 'placed' && order.status !== 'payment-failed') return ctx.problem(409, 'not_cancellable', `the order is ${order.status}`);
  const inFlight = await ctx.db.list('Payment', { order: order.id, status: 'pending' }, { limit: 1 });
  if (inFlight.items.length) return ctx.problem(409, 'payment_in_flight', 'a payment for this order is being processed');
  return ctx.db.update('Order', order.id, { status: 'cancelled' });
}

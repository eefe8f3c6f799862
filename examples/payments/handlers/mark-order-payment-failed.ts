// Event consumer (orders): a failed payment leaves the order payable again, marked payment-failed.
// A late failure never downgrades an order another payment already paid.
export default async function markOrderPaymentFailed(event: { payment: string; order: string; reason: string }, ctx: any) {
  const order = await ctx.db.get('Order', event.order);
  if (order?.status === 'placed') await ctx.db.update('Order', order.id, { status: 'payment-failed' });
}

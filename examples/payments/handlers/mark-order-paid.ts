// Event consumer (orders): a captured payment marks its order paid. Redeliveries find it already paid.
export default async function markOrderPaid(event: { payment: string; order: string }, ctx: any) {
  const order = await ctx.db.get('Order', event.order);
  if (order && (order.status === 'placed' || order.status === 'payment-failed')) {
    await ctx.db.update('Order', order.id, { status: 'paid' });
  }
}

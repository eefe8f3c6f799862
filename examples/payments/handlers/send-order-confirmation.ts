// Event consumer (notifications): email the shopper that their order was received.
export default async function sendOrderConfirmation(event: { order: string; customer: string; total: string; currency: string }, ctx: any) {
  const user = await ctx.db.get('User', event.customer);
  if (!user) return;
  await ctx.integrations.mailer.post('/messages', {
    to: user.email, template: 'order-received', data: { name: user.name, order: event.order, total: event.total, currency: event.currency },
  }, { idempotencyKey: `order-received:${event.order}` });
}

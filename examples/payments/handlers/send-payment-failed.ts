// Event consumer (notifications): tell the shopper a payment did not go through and the order is still payable.
// The decline reason stays internal: telling a card tester why a card failed helps them.
export default async function sendPaymentFailed(event: { payment: string; order: string; customer: string; reason: string }, ctx: any) {
  const user = await ctx.db.get('User', event.customer);
  if (!user) return;
  await ctx.integrations.mailer.post('/messages', {
    to: user.email, template: 'payment-failed', data: { name: user.name, order: event.order, retry: `/orders/${event.order}` },
  }, { idempotencyKey: `payment-failed:${event.payment}` });
}

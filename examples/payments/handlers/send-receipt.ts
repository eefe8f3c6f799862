// Event consumer (notifications): email the receipt of a captured payment (brand and last4 only).
export default async function sendReceipt(event: { payment: string; order: string; customer: string; amount: string; currency: string; capturedAt: string }, ctx: any) {
  const [user, payment] = await Promise.all([ctx.db.get('User', event.customer), ctx.db.get('Payment', event.payment)]);
  if (!user || !payment) return;
  await ctx.integrations.mailer.post('/messages', {
    to: user.email,
    template: 'payment-receipt',
    data: { name: user.name, order: event.order, amount: event.amount, currency: event.currency, card: `${payment.cardBrand} •••• ${payment.cardLast4}`, at: event.capturedAt },
  }, { idempotencyKey: `receipt:${event.payment}` });
}

// Event consumer (notifications): tell the patient a visit was cancelled, unless they cancelled it themselves.
export default async function notifyCancelled(event: { appointment: string; patient: string; startsAt: string; cancelledBy: string }, ctx: any) {
  if (event.cancelledBy === 'patient') return;
  const user = await ctx.db.get('User', event.patient);
  if (!user || user.reminderChannel === 'none' || user.status !== 'active') return;
  await ctx.integrations.messaging.post('/messages', {
    channel: user.reminderChannel,
    to: user.reminderChannel === 'sms' ? user.phone : user.email,
    template: 'visit-cancelled',
    locale: user.locale,
    data: { startsAt: event.startsAt, rebook: '/clinicians' },
  }, { idempotencyKey: `cancelled:${event.appointment}` });
}

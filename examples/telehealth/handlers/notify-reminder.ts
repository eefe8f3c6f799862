// Event consumer (notifications): remind the patient of an upcoming visit on their chosen channel.
// The appointment id is the messaging dedupe key, so a redelivered event sends one message.
export default async function notifyReminder(event: { appointment: string; patient: string; startsAt: string }, ctx: any) {
  const user = await ctx.db.get('User', event.patient);
  if (!user || user.reminderChannel === 'none' || user.status !== 'active') return;
  await ctx.integrations.messaging.post('/messages', {
    channel: user.reminderChannel,
    to: user.reminderChannel === 'sms' ? user.phone : user.email,
    template: 'visit-reminder',
    locale: user.locale,
    data: { startsAt: event.startsAt, join: `/appointments/${event.appointment}/join` },
  }, { idempotencyKey: `reminder:${event.appointment}` });
}

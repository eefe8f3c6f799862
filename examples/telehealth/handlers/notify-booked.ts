// Event consumer (notifications): confirm a booking on the patient's chosen channel. Messages say when,
// never why: the visit reason is health data and SMS and email are not confidential channels.
export default async function notifyBooked(event: { appointment: string; patient: string; clinician: string; startsAt: string }, ctx: any) {
  const user = await ctx.db.get('User', event.patient);
  if (!user || user.reminderChannel === 'none' || user.status !== 'active') return;
  await ctx.integrations.messaging.post('/messages', {
    channel: user.reminderChannel,
    to: user.reminderChannel === 'sms' ? user.phone : user.email,
    template: 'visit-booked',
    locale: user.locale,
    data: { startsAt: event.startsAt, link: `/appointments/${event.appointment}` },
  }, { idempotencyKey: `booked:${event.appointment}` });
}

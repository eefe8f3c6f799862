// Job (scheduling, every 5 minutes): announce booked visits starting within 24 hours that were not yet
// reminded, and mark them in the same step so the next run skips them (the event leaves through the
// outbox, so marking first cannot lose a reminder).
export default async function sendReminders(ctx: any) {
  const now = new Date();
  const horizon = new Date(now.getTime() + 24 * 3_600_000);
  const due = await ctx.db.list(
    'Appointment',
    { status: 'booked', reminderSentAt: null, startsAt: { gt: now.toISOString(), lte: horizon.toISOString() } },
    { orderBy: 'startsAt', limit: 5000 },
  );
  for (const appointment of due.items) {
    await ctx.db.update('Appointment', appointment.id, { reminderSentAt: now.toISOString() });
    await ctx.emit('appointment.reminder-due', { appointment: appointment.id, patient: appointment.patient, startsAt: appointment.startsAt });
  }
  return { reminded: due.items.length };
}

// Event consumer (scheduling): an erased patient's future visits are cancelled, freeing the clinicians' time.
// Past appointments stay until their 6-year retention ends (expire-appointments.ts).
export default async function cancelFutureAppointments(event: { user: string; at: string }, ctx: any) {
  const upcoming = await ctx.db.list('Appointment', { patient: event.user, status: 'booked', startsAt: { gt: event.at } }, { limit: 1000 });
  for (const appointment of upcoming.items) {
    await ctx.db.update('Appointment', appointment.id, { status: 'cancelled', cancelReason: 'account closed', reason: null });
  }
}

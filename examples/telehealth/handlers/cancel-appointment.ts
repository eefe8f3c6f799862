// Custom endpoint: cancel a visit that has not started. Patients cancel their own visits, clinicians
// the visits they hold, administrators any visit.
export default async function cancelAppointment(ctx: any) {
  const appointment = await ctx.db.get('Appointment', ctx.params.id);
  if (!appointment) return ctx.notFound();
  if (ctx.user.role === 'patient' && appointment.patient !== ctx.user.id) return ctx.notFound();
  if (ctx.user.role === 'clinician') {
    const clinician = await ctx.db.get('Clinician', appointment.clinician);
    if (clinician?.user !== ctx.user.id) return ctx.notFound();
  }
  if (appointment.status !== 'booked') return ctx.problem(409, 'not_cancellable', `the visit is ${appointment.status}`);
  if (new Date(appointment.startsAt).getTime() <= Date.now()) return ctx.problem(409, 'already_started', 'the visit has already started');

  const cancelled = await ctx.db.update('Appointment', appointment.id, { status: 'cancelled', cancelReason: ctx.body?.reason });
  await ctx.emit('appointment.cancelled', {
    appointment: appointment.id, patient: appointment.patient, startsAt: appointment.startsAt, cancelledBy: ctx.user.role,
  });
  return cancelled;
}

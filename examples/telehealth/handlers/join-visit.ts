// Custom endpoint: issue a short-lived video token to a participant from 10 minutes before the visit.
// The room is created on the first join (keyed by appointment id, so a retried call reuses it).
export default async function joinVisit(ctx: any) {
  const appointment = await ctx.db.get('Appointment', ctx.params.id);
  if (!appointment) return ctx.notFound();
  const clinician = await ctx.db.get('Clinician', appointment.clinician);
  const isPatient = appointment.patient === ctx.user.id;
  const isClinician = clinician?.user === ctx.user.id;
  if (!isPatient && !isClinician) return ctx.notFound();
  if (appointment.status !== 'booked' && appointment.status !== 'in-progress') {
    return ctx.problem(409, 'not_joinable', `the visit is ${appointment.status}`);
  }
  const opensAt = new Date(appointment.startsAt).getTime() - 10 * 60_000;
  if (Date.now() < opensAt || Date.now() > new Date(appointment.endsAt).getTime()) {
    return ctx.problem(409, 'outside_window', 'the room opens 10 minutes before the visit and closes at its end');
  }

  const room = appointment.videoRoom
    ?? (await ctx.integrations.video.post('/rooms', { name: appointment.id, endsAt: appointment.endsAt }, { idempotencyKey: appointment.id })).name;
  if (!appointment.videoRoom || appointment.status === 'booked') {
    await ctx.db.update('Appointment', appointment.id, { videoRoom: room, status: 'in-progress' });
  }
  const token = await ctx.integrations.video.post(`/rooms/${room}/tokens`, { identity: ctx.user.id, role: isClinician ? 'host' : 'guest', ttlSeconds: 900 });
  return { room, token: token.value, expiresAt: token.expiresAt };
}

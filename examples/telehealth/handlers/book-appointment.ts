// Custom endpoint: book a visit inside the clinician's working hours when no other visit overlaps it.
// The database's exclusion constraint on (clinician, [startsAt, endsAt)) is the final guard against two
// concurrent bookings; this check answers the common case with a clear 409 before the insert.
export default async function bookAppointment(ctx: any) {
  const profile = await ctx.db.list('Patient', { user: ctx.user.id }, { limit: 1 });
  if (!profile.items[0]?.telehealthConsentAt) return ctx.problem(409, 'consent_missing', 'complete your profile and consent to telehealth first');
  const clinician = await ctx.db.get('Clinician', ctx.body.clinician);
  if (!clinician || !clinician.acceptingPatients) return ctx.notFound();

  const start = new Date(ctx.body.startsAt);
  const end = new Date(start.getTime() + clinician.visitMinutes * 60_000);
  if (start.getTime() < Date.now() + 15 * 60_000) return ctx.problem(422, 'too_soon', 'book at least 15 minutes ahead');
  if (!withinHours(clinician.workingHours, clinician.timezone, start, end)) {
    return ctx.problem(422, 'outside_hours', 'the clinician does not work at that time');
  }
  const overlapping = await ctx.db.list(
    'Appointment',
    { clinician: clinician.id, status: 'booked', startsAt: { lt: end.toISOString() }, endsAt: { gt: start.toISOString() } },
    { limit: 1 },
  );
  if (overlapping.items.length) return ctx.problem(409, 'slot_taken', 'the clinician already has a visit at that time');

  const appointment = await ctx.db.create('Appointment', {
    patient: ctx.user.id, clinician: clinician.id, startsAt: start.toISOString(), endsAt: end.toISOString(), reason: ctx.body.reason,
  });
  await ctx.emit('appointment.booked', { appointment: appointment.id, patient: ctx.user.id, clinician: clinician.id, startsAt: appointment.startsAt });
  return ctx.created(appointment, `/appointments/${appointment.id}`);
}

/** Whether [start, end) lies in one "HH:MM-HH:MM" range of `hours` ({ mon: ["09:00-12:00"], ... }) in `timeZone`. */
function withinHours(hours: Record<string, string[]>, timeZone: string, start: Date, end: Date): boolean {
  const local = (d: Date) => {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return { day: part('weekday').toLowerCase(), time: `${part('hour')}:${part('minute')}` };
  };
  const from = local(start);
  const to = local(end);
  if (from.day !== to.day) return false;
  return (hours[from.day] ?? []).some((range) => {
    const [open, close] = range.split('-');
    return open !== undefined && close !== undefined && from.time >= open && to.time <= close;
  });
}

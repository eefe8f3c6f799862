// Custom endpoint: the calling clinician's visits between two dates (default: today and the next 7 days).
// Ownership has one field per entity (Appointment.patient), so the clinician's view is its own handler.
export default async function clinicianSchedule(ctx: any) {
  const profile = await ctx.db.list('Clinician', { user: ctx.user.id }, { limit: 1 });
  const clinician = profile.items[0];
  if (!clinician) return ctx.notFound();
  const from = ctx.query.from ? new Date(ctx.query.from) : new Date(new Date().toISOString().slice(0, 10));
  const to = ctx.query.to ? new Date(ctx.query.to) : new Date(from.getTime() + 8 * 86_400_000);
  if (to.getTime() - from.getTime() > 31 * 86_400_000) return ctx.problem(422, 'range_too_long', 'ask for at most 31 days');
  return ctx.db.list(
    'Appointment',
    { clinician: clinician.id, startsAt: { gte: from.toISOString(), lt: to.toISOString() } },
    { orderBy: 'startsAt', limit: 200 },
  );
}

// Job (scheduling, nightly): delete appointments that ended more than 6 years ago (retention rule), unless
// a visit note or prescription still refers to them (those keep theirs for 10 years; onDelete: restrict).
export default async function expireAppointments(ctx: any) {
  const cutoff = new Date(Date.now() - 2190 * 86_400_000).toISOString();
  const expired = await ctx.db.list('Appointment', { endsAt: { lt: cutoff } }, { limit: 10_000 });
  let deleted = 0;
  for (const appointment of expired.items) {
    const [notes, prescriptions] = await Promise.all([
      ctx.db.list('VisitNote', { appointment: appointment.id }, { limit: 1 }),
      ctx.db.list('Prescription', { appointment: appointment.id }, { limit: 1 }),
    ]);
    if (notes.items.length || prescriptions.items.length) continue;
    await ctx.db.delete('Appointment', appointment.id);
    deleted += 1;
  }
  return { deleted };
}

// Custom endpoint: everything Carebridge holds about the calling patient, as one JSON bundle
// (GDPR Art. 15 and 20, HIPAA right of access 164.524).
export default async function exportMyData(ctx: any) {
  const mine = { patient: ctx.user.id };
  const all = { limit: 10_000 };
  const [user, profile, appointments, notes, prescriptions] = await Promise.all([
    ctx.db.get('User', ctx.user.id),
    ctx.db.list('Patient', { user: ctx.user.id }, { limit: 1 }),
    ctx.db.list('Appointment', mine, all),
    ctx.db.list('VisitNote', mine, all),
    ctx.db.list('Prescription', mine, all),
  ]);
  if (!user) return ctx.notFound();
  return {
    exportedAt: new Date().toISOString(),
    account: { email: user.email, name: user.name, phone: user.phone, reminderChannel: user.reminderChannel, locale: user.locale },
    profile: profile.items[0] ?? null,
    appointments: appointments.items,
    visitNotes: notes.items,
    prescriptions: prescriptions.items,
  };
}

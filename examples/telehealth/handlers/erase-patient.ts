// Custom endpoint: carry out a patient's erasure request (GDPR Art. 17) within medical-record retention.
// Erased now: login, contact data and demographics not needed to identify the record; future visits are
// cancelled (patient.erased). Kept until their retention ends (Art. 17(3)(b),(c)): visit notes and
// prescriptions (10 years) and appointments (6 years); the expire-* jobs delete them then.
export default async function erasePatient(ctx: any) {
  const user = await ctx.db.get('User', ctx.params.id);
  if (!user || user.role !== 'patient') return ctx.notFound();
  if (user.status === 'erased') return ctx.problem(409, 'already_erased', 'this account was already erased');

  await ctx.db.update('User', user.id, {
    email: `erased-${user.id}@invalid.example`, name: 'erased', phone: null, reminderChannel: 'none', status: 'erased',
  });
  const profile = await ctx.db.list('Patient', { user: user.id }, { limit: 1 });
  if (profile.items[0]) {
    await ctx.db.update('Patient', profile.items[0].id, { address: null, emergencyContact: null, insuranceMemberId: null });
  }
  const at = new Date().toISOString();
  await ctx.emit('patient.erased', { user: user.id, at });
  return {
    erased: ['login', 'email', 'name', 'phone', 'address', 'emergency contact', 'insurance member id', 'future appointments'],
    retained: [
      { records: 'visit notes and prescriptions', until: '10 years after each record' },
      { records: 'past appointments', until: '6 years after each visit' },
    ],
    at,
  };
}

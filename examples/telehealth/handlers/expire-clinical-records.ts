// Job (records, nightly): delete visit notes and prescriptions older than 10 years (retention rule).
// A note still amended by a younger addendum is kept until the addendum expires (onDelete: restrict),
// so the record and its correction always leave together; newest first lets old addenda go before their notes.
export default async function expireClinicalRecords(ctx: any) {
  const cutoff = new Date(Date.now() - 3650 * 86_400_000).toISOString();
  const options = { limit: 10_000, orderBy: '-createdAt' };
  const prescriptions = await ctx.db.list('Prescription', { createdAt: { lt: cutoff } }, options);
  for (const prescription of prescriptions.items) await ctx.db.delete('Prescription', prescription.id);
  const notes = await ctx.db.list('VisitNote', { createdAt: { lt: cutoff } }, options);
  let deletedNotes = 0;
  for (const note of notes.items) {
    const addenda = await ctx.db.list('VisitNote', { amends: note.id }, { limit: 1 });
    if (addenda.items.length) continue;
    await ctx.db.delete('VisitNote', note.id);
    deletedNotes += 1;
  }
  return { prescriptions: prescriptions.items.length, notes: deletedNotes };
}

// Event consumer (records): prescriptions of an erased patient that have not reached a pharmacy are cancelled.
// Transmitted prescriptions and visit notes are medical records and stay until their retention ends.
export default async function cancelPendingPrescriptions(event: { user: string; at: string }, ctx: any) {
  const pending = await ctx.db.list('Prescription', { patient: event.user, status: 'issued' }, { limit: 1000 });
  for (const prescription of pending.items) {
    await ctx.db.update('Prescription', prescription.id, { status: 'cancelled' });
  }
}

// Custom endpoint: sign the note of a visit the caller held. Notes are immutable; a correction is a new
// note whose `amends` points at the note it corrects (an addendum), which must belong to the same visit.
export default async function signVisitNote(ctx: any) {
  const appointment = await ctx.db.get('Appointment', ctx.params.appointment);
  if (!appointment) return ctx.notFound();
  const clinician = await ctx.db.get('Clinician', appointment.clinician);
  if (clinician?.user !== ctx.user.id) return ctx.problem(403, 'not_your_visit', 'only the clinician who held the visit documents it');
  if (appointment.status !== 'in-progress' && appointment.status !== 'completed') {
    return ctx.problem(409, 'visit_not_held', `the visit is ${appointment.status}`);
  }
  if (ctx.body.amends) {
    const original = await ctx.db.get('VisitNote', ctx.body.amends);
    if (!original || original.appointment !== appointment.id) return ctx.problem(422, 'amends_invalid', 'an addendum must amend a note of the same visit');
  }

  const note = await ctx.db.create('VisitNote', {
    appointment: appointment.id,
    patient: appointment.patient,
    author: clinician.id,
    amends: ctx.body.amends,
    subjective: ctx.body.subjective,
    objective: ctx.body.objective,
    assessment: ctx.body.assessment,
    plan: ctx.body.plan,
    diagnosisCodes: ctx.body.diagnosisCodes,
  });
  if (appointment.status !== 'completed') await ctx.db.update('Appointment', appointment.id, { status: 'completed' });
  await ctx.emit('visit.documented', { note: note.id, appointment: appointment.id, patient: appointment.patient });
  return ctx.created(note, `/notes/${note.id}`);
}

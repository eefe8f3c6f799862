// Custom endpoint: issue a prescription for a visit the caller held. Transmission to the pharmacy happens
// asynchronously (transmit-prescription.ts), so a pharmacy-network outage never blocks the clinician.
export default async function prescribe(ctx: any) {
  const appointment = await ctx.db.get('Appointment', ctx.params.appointment);
  if (!appointment) return ctx.notFound();
  const clinician = await ctx.db.get('Clinician', appointment.clinician);
  if (clinician?.user !== ctx.user.id) return ctx.problem(403, 'not_your_visit', 'only the clinician who held the visit prescribes for it');
  if (appointment.status !== 'in-progress' && appointment.status !== 'completed') {
    return ctx.problem(409, 'visit_not_held', `the visit is ${appointment.status}`);
  }

  const prescription = await ctx.db.create('Prescription', {
    appointment: appointment.id,
    patient: appointment.patient,
    prescriber: clinician.id,
    medication: ctx.body.medication,
    dosage: ctx.body.dosage,
    quantity: ctx.body.quantity,
    refills: ctx.body.refills ?? 0,
    instructions: ctx.body.instructions,
    pharmacy: ctx.body.pharmacy,
  });
  await ctx.emit('prescription.issued', { prescription: prescription.id, patient: appointment.patient });
  return ctx.created(prescription, `/prescriptions/${prescription.id}`);
}

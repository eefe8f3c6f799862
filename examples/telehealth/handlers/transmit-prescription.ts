// Event consumer (records): send an issued prescription to the patient's pharmacy. The prescription id is
// the network's idempotency key, so a redelivered event or a retried call cannot dispense twice.
export default async function transmitPrescription(event: { prescription: string; patient: string }, ctx: any) {
  const prescription = await ctx.db.get('Prescription', event.prescription);
  if (!prescription || prescription.status !== 'issued') return;
  const [patient, prescriber] = await Promise.all([
    ctx.db.list('Patient', { user: prescription.patient }, { limit: 1 }),
    ctx.db.get('Clinician', prescription.prescriber),
  ]);
  await ctx.integrations.eprescribing.post('/prescriptions', {
    id: prescription.id,
    pharmacy: prescription.pharmacy,
    patient: { dateOfBirth: patient.items[0]?.dateOfBirth },
    prescriber: { licenseNumber: prescriber?.licenseNumber, licenseCountry: prescriber?.licenseCountry },
    medication: prescription.medication,
    dosage: prescription.dosage,
    quantity: prescription.quantity,
    refills: prescription.refills,
    instructions: prescription.instructions,
  }, { idempotencyKey: prescription.id });
  await ctx.db.update('Prescription', prescription.id, { status: 'transmitted', transmittedAt: new Date().toISOString() });
}

// Event consumer (notifications): tell the patient their visit summary is ready to read in the app.
// Only a link is sent; the note itself never leaves Carebridge by message.
export default async function notifyNoteReady(event: { note: string; appointment: string; patient: string }, ctx: any) {
  const user = await ctx.db.get('User', event.patient);
  if (!user || user.reminderChannel === 'none' || user.status !== 'active') return;
  await ctx.integrations.messaging.post('/messages', {
    channel: user.reminderChannel,
    to: user.reminderChannel === 'sms' ? user.phone : user.email,
    template: 'visit-summary-ready',
    locale: user.locale,
    data: { link: `/notes/${event.note}` },
  }, { idempotencyKey: `note:${event.note}` });
}

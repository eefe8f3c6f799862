import { applyOutcome } from './lib/payment-outcome.ts';

const TOLERANCE_MS = 5 * 60_000;

// Custom endpoint: late charge outcomes from the processor. The server has already checked the
// X-Processor-Signature header (the spec's `signature:`: HMAC-SHA256 of the raw body with
// PROCESSOR_WEBHOOK_SECRET), so every field here is the processor's. An event whose signed `created`
// time is more than 5 minutes away is refused (replay); a replay inside the window is harmless because
// only pending payments change. Every accepted delivery answers 204, so the processor stops retrying it.
export default async function processorWebhook(ctx: any) {
  const event = ctx.body as {
    type: string;
    created: number;
    data: { reference: string; chargeId: string; cardBrand?: string; last4?: string; declineCode?: string };
  };
  const created = Number(event.created) * 1000;
  if (!Number.isFinite(created) || Math.abs(Date.now() - created) > TOLERANCE_MS) {
    return ctx.problem(401, 'unauthenticated', 'the event has no created time or it is older than 5 minutes; the processor sends fresh deliveries');
  }
  if (event.type !== 'charge.succeeded' && event.type !== 'charge.failed') {
    ctx.log.info({ type: event.type }, 'processor event ignored: not a charge outcome');
    return undefined;
  }
  const payment = await ctx.db.get('Payment', event.data.reference, { forUpdate: true });
  if (!payment) {
    ctx.log.warn({ reference: event.data.reference }, 'processor event ignored: no such payment');
    return undefined;
  }
  await applyOutcome(ctx, payment, {
    status: event.type === 'charge.succeeded' ? 'succeeded' : 'declined',
    chargeId: event.data.chargeId, cardBrand: event.data.cardBrand, last4: event.data.last4, declineCode: event.data.declineCode,
  });
  return undefined;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { applyOutcome } from './lib/payment-outcome.ts';

const TOLERANCE_MS = 5 * 60_000;

// Custom endpoint: late charge outcomes from the processor. Authenticated by an HMAC over
// "<timestamp>.<raw body>" with the shared webhook secret; a timestamp older than 5 minutes is rejected
// (replay), and a replay inside the window is harmless because only pending payments change.
export default async function processorWebhook(ctx: any) {
  const header = String(ctx.headers['x-processor-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const timestamp = Number(parts.t);
  if (!parts.v1 || !Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp * 1000) > TOLERANCE_MS) {
    return ctx.problem(401, 'signature_invalid', 'missing or stale signature');
  }
  const expected = createHmac('sha256', process.env.PROCESSOR_WEBHOOK_SECRET ?? '').update(`${parts.t}.${ctx.rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return ctx.problem(401, 'signature_invalid', 'bad signature');

  const event = ctx.body as { type: string; data: { reference: string; chargeId: string; cardBrand?: string; last4?: string; declineCode?: string } };
  if (event.type !== 'charge.succeeded' && event.type !== 'charge.failed') return { received: true, ignored: event.type };
  const payment = await ctx.db.get('Payment', event.data.reference, { forUpdate: true });
  if (!payment) return { received: true, ignored: 'unknown reference' };
  await applyOutcome(ctx, payment, {
    status: event.type === 'charge.succeeded' ? 'succeeded' : 'declined',
    chargeId: event.data.chargeId, cardBrand: event.data.cardBrand, last4: event.data.last4, declineCode: event.data.declineCode,
  });
  return { received: true };
}

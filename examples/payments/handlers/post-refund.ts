import { postJournal } from './lib/ledger.ts';

// Event consumer (ledger): a refund reduces what the processor owes us, booked against refunds.
export default async function postRefund(event: { refund: string; payment: string; amount: string; currency: string }, ctx: any) {
  await postJournal(ctx, event.currency, [
    { account: 'refunds', amount: event.amount },
    { account: 'processor-clearing', amount: `-${event.amount}` },
  ], { refund: event.refund }, 'card refund');
}

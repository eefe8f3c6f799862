import { postJournal } from './lib/ledger.ts';

// Event consumer (ledger): a capture moves money owed by the processor into sales revenue.
export default async function postCapture(event: { payment: string; amount: string; currency: string }, ctx: any) {
  await postJournal(ctx, event.currency, [
    { account: 'processor-clearing', amount: event.amount },
    { account: 'sales-revenue', amount: `-${event.amount}` },
  ], { payment: event.payment }, 'card capture');
}

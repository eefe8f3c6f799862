import { fromMinor, toMinor } from './lib/money.ts';
import { postJournal } from './lib/ledger.ts';

// Event consumer (ledger): a settled batch clears what the processor owed (captures minus refunds) into the
// bank account, less the processor's fees. A negative net (refunds above sales) credits the bank instead.
export default async function postSettlement(
  event: { settlement: string; currency: string; gross: string; refunds: string; fees: string; net: string },
  ctx: any,
) {
  const cleared = toMinor(event.gross) - toMinor(event.refunds);
  await postJournal(ctx, event.currency, [
    { account: 'merchant-bank', amount: event.net },
    { account: 'processing-fees', amount: event.fees },
    { account: 'processor-clearing', amount: fromMinor(-cleared) },
  ], { settlement: event.settlement }, 'daily settlement');
}

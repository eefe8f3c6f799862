import { randomUUID } from 'node:crypto';
import { fromMinor, toMinor } from './money.ts';

/** One line of a journal: a signed amount (positive debits the account, negative credits it). */
export interface JournalLine {
  account: 'processor-clearing' | 'sales-revenue' | 'refunds' | 'processing-fees' | 'merchant-bank';
  amount: string;
}

/**
 * Posts one balanced journal: every line becomes a LedgerEntry with the same journal id. Throws when the
 * lines do not balance, so an unbalanced posting never reaches the ledger. `refs` (payment, refund or
 * settlement) link every entry to what caused it; a second delivery of the same event is detected by them
 * and posts nothing.
 */
export async function postJournal(ctx: any, currency: string, lines: JournalLine[], refs: Record<string, string>, memo: string): Promise<string | undefined> {
  const balance = lines.reduce((total, line) => total + toMinor(line.amount), 0n);
  if (balance !== 0n) throw new Error(`journal "${memo}" does not balance: off by ${fromMinor(balance)} ${currency}`);
  const already = await ctx.db.list('LedgerEntry', refs, { limit: 1 });
  if (already.items.length) return undefined;

  const journal = randomUUID();
  const postedAt = new Date().toISOString();
  for (const line of lines) {
    const minor = toMinor(line.amount);
    if (minor === 0n) continue;
    await ctx.db.create('LedgerEntry', {
      journal, account: line.account, direction: minor > 0n ? 'debit' : 'credit', amount: fromMinor(minor > 0n ? minor : -minor),
      currency, postedAt, memo, ...refs,
    });
  }
  return journal;
}

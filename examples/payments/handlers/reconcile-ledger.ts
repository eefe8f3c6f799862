import { fromMinor, toMinor } from './lib/money.ts';

// Job (ledger, 06:30 New York): every journal posted in the last day must balance per currency, and sales
// revenue must equal the captures of the same period, per currency. Any difference fails the run, which pages
// finance (alert "ledger out of balance"); the ledger itself is never edited, corrections are reversing journals.
// The window ends an hour ago so captures near its end have had time to be posted by post-capture.ts.
export default async function reconcileLedger(ctx: any) {
  const until = new Date(Date.now() - 3_600_000);
  const window = { gte: new Date(until.getTime() - 86_400_000).toISOString(), lt: until.toISOString() };
  const [entries, captured] = await Promise.all([
    ctx.db.list('LedgerEntry', { postedAt: window }, { limit: 500_000 }),
    ctx.db.list('Payment', { capturedAt: window }, { limit: 500_000 }),
  ]);

  const journals = new Map<string, bigint>();
  const revenue = new Map<string, bigint>();
  for (const e of entries.items) {
    const signed = e.direction === 'debit' ? toMinor(e.amount) : -toMinor(e.amount);
    journals.set(`${e.journal} ${e.currency}`, (journals.get(`${e.journal} ${e.currency}`) ?? 0n) + signed);
    if (e.account === 'sales-revenue') revenue.set(e.currency, (revenue.get(e.currency) ?? 0n) - signed);
  }
  const captures = new Map<string, bigint>();
  for (const p of captured.items) captures.set(p.currency, (captures.get(p.currency) ?? 0n) + toMinor(p.amount));

  const problems = [...journals].filter(([, balance]) => balance !== 0n).map(([key, balance]) => `journal ${key} off by ${fromMinor(balance)}`);
  for (const currency of new Set([...revenue.keys(), ...captures.keys()])) {
    const booked = revenue.get(currency) ?? 0n;
    const charged = captures.get(currency) ?? 0n;
    if (booked !== charged) problems.push(`${currency} revenue ${fromMinor(booked)} differs from captures ${fromMinor(charged)}`);
  }
  if (problems.length) throw new Error(`ledger reconciliation failed: ${problems.join('; ')}`);
  return { journals: journals.size, entries: entries.items.length };
}

// Custom endpoint: resolve a short code, emit link.visited, redirect. Served by `archspec serve` (next milestone).
export default async function visit(ctx: any) {
  const link = await ctx.db.get('Link', ctx.params.code);
  if (!link) return ctx.notFound();
  // The visitor's address travels only inside the event; the worker resolves it to a country and drops it.
  await ctx.emit('link.visited', { link: link.code, at: new Date().toISOString(), ip: ctx.ip });
  return ctx.redirect(link.target, 302);
}

// Custom endpoint: resolve a short code, emit link.visited, redirect. Served by `archspec serve` (issue 3).
export default async function visit(ctx: any) {
  const link = await ctx.db.get('Link', ctx.params.code);
  if (!link) return ctx.notFound();
  await ctx.emit('link.visited', { link: link.code, at: new Date().toISOString(), country: ctx.headers['cf-ipcountry'] ?? null });
  return ctx.redirect(link.target, 302);
}

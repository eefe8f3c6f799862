// Event consumer: store one Visit per link.visited event.
export default async function recordVisit(event: { link: string; at: string; country: string | null }, ctx: any) {
  await ctx.db.create('Visit', { link: event.link, at: event.at, country: event.country ?? undefined });
}

// Event consumer (flow record-visit): resolve the visitor's country with geoip, store one Visit.
// geoip fails open (fallback: allow): when it is down or slow the visit is stored without a country.
export default async function recordVisit(event: { link: string; at: string; ip: string }, ctx: any) {
  const geo = await ctx.integrations.geoip.get(`/country/${encodeURIComponent(event.ip)}`);
  await ctx.db.create('Visit', { link: event.link, at: event.at, country: geo?.country ?? undefined });
}

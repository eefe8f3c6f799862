import { fromMinor, toMinor } from './lib/money.ts';

// Custom endpoint: place an order. Prices come from the catalogue and the total from the server; the
// client names products and quantities only (no price tampering through mass assignment).
export default async function placeOrder(ctx: any) {
  const { currency, shippingAddress, items } = ctx.body;
  if (!Array.isArray(items) || items.length < 1 || items.length > 50) return ctx.problem(422, 'items_invalid', 'an order has 1 to 50 items');

  const lines = [];
  let total = 0n;
  for (const item of items as { product: string; quantity: number }[]) {
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > 999) {
      return ctx.problem(422, 'quantity_invalid', 'quantities are whole numbers from 1 to 999');
    }
    const product = await ctx.db.get('Product', item.product);
    if (!product || !product.active) return ctx.problem(422, 'product_unavailable', `product ${item.product} is not for sale`);
    if (product.currency !== currency) return ctx.problem(422, 'currency_mismatch', `${product.sku} is priced in ${product.currency}`);
    const lineTotal = toMinor(product.unitPrice) * BigInt(item.quantity);
    total += lineTotal;
    lines.push({ product, quantity: item.quantity, lineTotal: fromMinor(lineTotal) });
  }

  const order = await ctx.db.create('Order', { customer: ctx.user.id, currency, shippingAddress, total: fromMinor(total) });
  const created = [];
  for (const line of lines) {
    created.push(await ctx.db.create('OrderItem', {
      order: order.id, customer: ctx.user.id, product: line.product.id, sku: line.product.sku, description: line.product.name,
      quantity: line.quantity, unitPrice: line.product.unitPrice, lineTotal: line.lineTotal,
    }));
  }
  await ctx.emit('order.placed', { order: order.id, customer: ctx.user.id, total: order.total, currency });
  return ctx.created({ ...order, items: created }, `/orders/${order.id}`);
}

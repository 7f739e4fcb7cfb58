// A product of the catalogue, with its prices.
import { asObjects, Price, type PriceShape } from '../nested.ts';
import { defineResource, relatedList } from '../resources.ts';

export const Product = defineResource('Product', {
  description: 'A product of the catalogue.',
  plural: 'products',
  singular: 'product',
  typed: (t) => ({
    prices: t.field({ type: [Price], nullable: true, select: { prices: true }, resolve: (p) => asObjects<PriceShape>(p.prices) }),
  }),
  fields: (t) => ({
    lineItems: t.relatedConnection('lineItems', relatedList(t), { description: 'Order lines selling it.' }),
  }),
});

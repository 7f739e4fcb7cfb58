// One line of an order: a product, a quantity and a price.
import { defineResource } from '../resources.ts';

export const LineItem = defineResource('LineItem', {
  description: 'A line of an order.',
  plural: 'lineItems',
  singular: 'lineItem',
  fields: (t) => ({
    order: t.relation('order', { nullable: true }),
    product: t.relation('product', { nullable: true }),
  }),
});

// An order on a deal, made of line items.
import { defineResource, relatedList } from '../resources.ts';

export const Order = defineResource('Order', {
  description: 'An order on a deal.',
  plural: 'orders',
  singular: 'order',
  fields: (t) => ({
    deal: t.relation('deal', { nullable: true }),
    lineItems: t.relatedConnection('lineItems', relatedList(t)),
  }),
});

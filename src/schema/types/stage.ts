// A stage of a pipeline (category: incoming, qualified, won, lost, ...).
import { defineResource, relatedList } from '../resources.ts';

export const Stage = defineResource('Stage', {
  description: 'A stage of a pipeline.',
  plural: 'stages',
  singular: 'stage',
  fields: (t) => ({
    pipeline: t.relation('pipeline', { nullable: true }),
    deals: t.relatedConnection('deals', relatedList(t), { description: 'Deals in this stage.' }),
  }),
});

// Why deals were lost.
import { defineResource, relatedList } from '../resources.ts';

export const LossReason = defineResource('LossReason', {
  description: 'A reason a deal was lost.',
  plural: 'lossReasons',
  singular: 'lossReason',
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    deals: t.relatedConnection('deals', relatedList(t)),
  }),
});

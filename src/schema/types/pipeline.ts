// A sales pipeline: an ordered set of stages.
import { defineResource, relatedList } from '../resources.ts';

export const Pipeline = defineResource('Pipeline', {
  description: 'A sales pipeline.',
  plural: 'pipelines',
  singular: 'pipeline',
  fields: (t) => ({
    stages: t.relatedConnection('stages', { ...relatedList(t), query: (args: { includeDeleted?: boolean | null }) => ({ where: args.includeDeleted ? {} : { deletedAt: null }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }) }, { description: 'Its stages, in pipeline order.' }),
  }),
});

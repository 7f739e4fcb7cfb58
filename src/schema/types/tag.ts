// A tag defined for leads, contacts or deals.
import { defineResource } from '../resources.ts';

export const Tag = defineResource('Tag', {
  description: 'A tag that can be put on leads, contacts or deals (resourceType says which).',
  plural: 'tags',
  singular: 'tag',
  fields: (t) => ({ creator: t.relation('creator', { nullable: true }) }),
});

// A note on a lead, contact or deal.
import { defineResource } from '../resources.ts';
import { resourceField } from './resource-union.ts';

export const Note = defineResource('Note', {
  description: 'A note on a lead, contact or deal.',
  plural: 'notes',
  singular: 'note',
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    resource: resourceField(t),
  }),
});

// A task about a lead, contact or deal.
import { defineResource } from '../resources.ts';
import { resourceField } from './resource-union.ts';

export const Task = defineResource('Task', {
  description: 'A task about a lead, contact or deal.',
  plural: 'tasks',
  singular: 'task',
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    resource: resourceField(t),
  }),
});

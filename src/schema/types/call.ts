// A phone call with a lead, contact or deal.
import { defineResource } from '../resources.ts';
import { resourceField } from './resource-union.ts';

export const Call = defineResource('Call', {
  description: 'A phone call with a lead, contact or deal.',
  plural: 'calls',
  singular: 'call',
  fields: (t) => ({
    user: t.relation('user', { nullable: true, description: 'Who made or took the call.' }),
    resource: resourceField(t),
  }),
});

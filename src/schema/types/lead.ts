// A lead: a person or company not yet qualified.
import { Address, asObject } from '../nested.ts';
import { defineResource } from '../resources.ts';
import { activityConnections } from './activities.ts';

export const Lead = defineResource('Lead', {
  description: 'A lead: a prospect not yet qualified.',
  plural: 'leads',
  singular: 'lead',
  typed: (t) => ({
    address: t.field({ type: Address, nullable: true, select: { address: true }, resolve: (l) => asObject(l.address) }),
  }),
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    source: t.relation('source', { nullable: true }),
    ...activityConnections(t, 'lead'),
  }),
});

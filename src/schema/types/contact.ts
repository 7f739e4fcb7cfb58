// A contact: an organization, or a person (usually working for an organization).
import { Address, asObject } from '../nested.ts';
import { defineResource, relatedList } from '../resources.ts';
import { activityConnections } from './activities.ts';

const address = (t: any, field: 'address' | 'billingAddress' | 'shippingAddress') =>
  t.field({ type: Address, nullable: true, select: { [field]: true }, resolve: (c: Record<string, unknown>) => asObject(c[field]) });

export const Contact = defineResource('Contact', {
  description: 'A contact: an organization or a person.',
  plural: 'contacts',
  singular: 'contact',
  typed: (t) => ({
    address: address(t, 'address'),
    billingAddress: address(t, 'billingAddress'),
    shippingAddress: address(t, 'shippingAddress'),
  }),
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    organization: t.relation('organization', { nullable: true, description: 'The organization this person belongs to.' }),
    parentOrganization: t.relation('parentOrganization', { nullable: true }),
    people: t.relatedConnection('people', relatedList(t), { description: 'People of this organization.' }),
    deals: t.relatedConnection('deals', relatedList(t), { description: 'Deals with this contact as the main contact.' }),
    organizationDeals: t.relatedConnection('organizationDeals', relatedList(t), { description: 'Deals with this organization.' }),
    associatedDeals: t.relatedConnection('associatedDeals', relatedList(t), { description: 'Deals this contact is associated with, and in which role.' }),
    ...activityConnections(t, 'contact'),
  }),
});

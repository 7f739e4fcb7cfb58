// A contact: an organization, or a person (usually working for an organization).
import { Address, asObject } from '../nested.ts';
import { defineResource, relatedList } from '../resources.ts';
import { activityConnections } from './activities.ts';

export const Contact = defineResource('Contact', {
  description: 'A contact: an organization or a person.',
  plural: 'contacts',
  singular: 'contact',
  typed: (t) => ({
    address: t.field({ type: Address, nullable: true, select: { address: true }, resolve: (c) => asObject(c.address) }),
    billingAddress: t.field({ type: Address, nullable: true, select: { billingAddress: true }, resolve: (c) => asObject(c.billingAddress) }),
    shippingAddress: t.field({ type: Address, nullable: true, select: { shippingAddress: true }, resolve: (c) => asObject(c.shippingAddress) }),
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

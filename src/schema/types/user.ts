// A Base user (a salesperson or admin): who owns and created things.
import { asObject, asObjects, UserGroup, UserRole, type NamedShape } from '../nested.ts';
import { defineResource, relatedList } from '../resources.ts';

export const User = defineResource('User', {
  description: 'A user of the Base account.',
  plural: 'users',
  singular: 'user',
  typed: (t) => ({
    group: t.field({ type: UserGroup, nullable: true, select: { group: true }, resolve: (u) => asObject(u.group) }),
    roles: t.field({ type: [UserRole], nullable: true, select: { roles: true }, resolve: (u) => asObjects<NamedShape>(u.roles) }),
  }),
  fields: (t) => ({
    manager: t.relation('manager', { nullable: true, description: 'The user this one reports to.' }),
    reports: t.relatedConnection('reports', relatedList(t), { description: 'Users who report to this one.' }),
    leads: t.relatedConnection('leadsOwned', relatedList(t), { description: 'Leads this user owns.' }),
    contacts: t.relatedConnection('contactsOwned', relatedList(t), { description: 'Contacts this user owns.' }),
    deals: t.relatedConnection('dealsOwned', relatedList(t), { description: 'Deals this user owns.' }),
  }),
});

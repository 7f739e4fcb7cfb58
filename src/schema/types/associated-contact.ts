// A contact's role on a deal, identified by the pair (dealId, contactId).
import { defineResource } from '../resources.ts';

export const AssociatedContact = defineResource('AssociatedContact', {
  description: 'A contact involved in a deal, and the role it plays.',
  plural: 'associatedContacts',
  singular: 'associatedContact',
  fields: (t) => ({
    deal: t.relation('deal', { nullable: true }),
    contact: t.relation('contact', { nullable: true }),
  }),
});

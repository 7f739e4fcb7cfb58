// A contact's role on a deal: keyed by its Base id like every object; dealId and contactId say
// what it links (an update may move it to another pair).
import { defineResource } from '../resources.ts';

export const AssociatedContact = defineResource('AssociatedContact', {
  description:
    'A contact involved in a deal, and the role it plays. Identified by its Base id (an update may move it to another deal or contact); one the stream named only by its pair has a negative placeholder id.',
  plural: 'associatedContacts',
  singular: 'associatedContact',
  fields: (t) => ({
    deal: t.relation('deal', { nullable: true }),
    contact: t.relation('contact', { nullable: true }),
  }),
});

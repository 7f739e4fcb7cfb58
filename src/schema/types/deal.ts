// A deal: a sale in progress through a pipeline's stages.
import { defineResource, relatedList } from '../resources.ts';
import { activityConnections } from './activities.ts';

export const Deal = defineResource('Deal', {
  description: 'A deal: a sale moving through the stages of a pipeline.',
  plural: 'deals',
  singular: 'deal',
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    lastStageChangeBy: t.relation('lastStageChangeBy', { nullable: true }),
    stage: t.relation('stage', { nullable: true }),
    contact: t.relation('contact', { nullable: true, description: 'The main contact (a person).' }),
    organization: t.relation('organization', { nullable: true }),
    source: t.relation('source', { nullable: true }),
    lossReason: t.relation('lossReason', { nullable: true }),
    associatedContacts: t.relatedConnection('associatedContacts', relatedList(t), { description: 'Contacts involved in the deal, with their roles.' }),
    orders: t.relatedConnection('orders', relatedList(t)),
    ...activityConnections(t, 'deal'),
  }),
});

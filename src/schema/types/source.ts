// Sources: where leads and deals come from (sources, and the newer lead and deal sources).
import { defineResource, relatedList } from '../resources.ts';

export const Source = defineResource('Source', {
  description: 'Where a lead or deal came from.',
  plural: 'sources',
  singular: 'source',
  fields: (t) => ({
    creator: t.relation('creator', { nullable: true }),
    leads: t.relatedConnection('leads', relatedList(t)),
    deals: t.relatedConnection('deals', relatedList(t)),
  }),
});

export const LeadSource = defineResource('LeadSource', {
  description: 'A source of leads.',
  plural: 'leadSources',
  singular: 'leadSource',
  fields: (t) => ({ creator: t.relation('creator', { nullable: true }) }),
});

export const DealSource = defineResource('DealSource', {
  description: 'A source of deals.',
  plural: 'dealSources',
  singular: 'dealSource',
  fields: (t) => ({ creator: t.relation('creator', { nullable: true }) }),
});

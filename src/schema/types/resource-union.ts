// What a note, task or call is about: a lead, a contact or a deal.
import { builder } from '../builder.ts';
import { Contact } from './contact.ts';
import { Deal } from './deal.ts';
import { Lead } from './lead.ts';

type Attached = { resourceType: string | null; lead: unknown; contact: unknown; deal: unknown };
const TYPE_OF = new WeakMap<object, 'Lead' | 'Contact' | 'Deal'>();

export const ActivityResource = builder.unionType('ActivityResource', {
  description: 'The lead, contact or deal a note, task or call is about.',
  types: [Lead, Contact, Deal],
  resolveType: (value) => TYPE_OF.get(value as object) ?? 'Lead',
});

/** The `resource` field of a note, task or call. */
export function resourceField(t: any) {
  return t.field({
    type: ActivityResource,
    nullable: true,
    description: 'What it is about.',
    select: { resourceType: true, lead: true, contact: true, deal: true },
    resolve: (parent: Attached) => {
      const typeName = parent.resourceType === 'lead' ? 'Lead' : parent.resourceType === 'contact' ? 'Contact' : parent.resourceType === 'deal' ? 'Deal' : null;
      const target = typeName && (parent[parent.resourceType as 'lead' | 'contact' | 'deal'] as object | null);
      if (!typeName || !target) return null;
      TYPE_OF.set(target, typeName);
      return target;
    },
  });
}

// What a note, task or call is about: a lead, a contact or a deal.
import { builder } from '../builder.ts';
import type { ModelName, ModelTypes, ResourceFieldBuilder } from '../resources.ts';
import { Contact } from './contact.ts';
import { Deal } from './deal.ts';
import { Lead } from './lead.ts';

type Parent = 'lead' | 'contact' | 'deal';

/** The models attached to a lead, contact or deal (note, task, call): those with the three relations. */
type Attachment = { [M in ModelName]: Parent extends ModelTypes<M>['RelationName'] ? M : never }[ModelName];
const TYPE_OF = new WeakMap<object, 'Lead' | 'Contact' | 'Deal'>();

export const ActivityResource = builder.unionType('ActivityResource', {
  description: 'The lead, contact or deal a note, task or call is about.',
  types: [Lead, Contact, Deal],
  resolveType: (value) => TYPE_OF.get(value as object) ?? 'Lead',
});

/** The `resource` field of a note, task or call. */
export function resourceField<N extends Attachment>(t: ResourceFieldBuilder<N>) {
  // N has the three relations (its constraint says so), which the compiler cannot apply to a
  // type parameter's builder: the note's builder stands for any of them.
  const attached = t as unknown as ResourceFieldBuilder<'Note'>;
  return attached.field({
    type: ActivityResource,
    nullable: true,
    description: 'What it is about.',
    select: { resourceType: true, lead: true, contact: true, deal: true },
    resolve: (parent) => {
      const typeName = parent.resourceType === 'lead' ? 'Lead' : parent.resourceType === 'contact' ? 'Contact' : parent.resourceType === 'deal' ? 'Deal' : null;
      const target = typeName && parent[parent.resourceType as Parent];
      if (!typeName || !target) return null;
      TYPE_OF.set(target, typeName);
      return target;
    },
  });
}

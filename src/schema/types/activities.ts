// Notes, tasks and calls attach to a lead, a contact or a deal (`resource_type` + `resource_id`).
import { relatedList, type ModelName, type ModelTypes, type ResourceFieldBuilder } from '../resources.ts';

type Activity = 'notes' | 'tasks' | 'calls';

/** The models with notes, tasks and calls (lead, contact, deal): those with the three list relations. */
type ActivityParent = { [M in ModelName]: Activity extends ModelTypes<M>['ListRelations'] ? M : never }[ModelName];

/** The notes, tasks and calls connections of a lead, contact or deal. */
export function activityConnections<N extends ActivityParent>(t: ResourceFieldBuilder<N>, resourceType: 'lead' | 'contact' | 'deal') {
  // N has the three relations (its constraint says so), which the compiler cannot apply to a
  // type parameter's builder: the lead's builder stands for any of them.
  const parent = t as unknown as ResourceFieldBuilder<'Lead'>;
  return {
    notes: parent.relatedConnection('notes', relatedList(parent, { resourceType }), { description: 'Notes on it.' }),
    tasks: parent.relatedConnection('tasks', relatedList(parent, { resourceType }), { description: 'Tasks about it.' }),
    calls: parent.relatedConnection('calls', relatedList(parent, { resourceType }), { description: 'Calls with it.' }),
  };
}

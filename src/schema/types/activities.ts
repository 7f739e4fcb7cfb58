// Notes, tasks and calls attach to a lead, a contact or a deal (`resource_type` + `resource_id`).
import { relatedList } from '../resources.ts';

/** The notes, tasks and calls connections of a lead, contact or deal. */
export function activityConnections(t: any, resourceType: 'lead' | 'contact' | 'deal') {
  return {
    notes: t.relatedConnection('notes', relatedList(t, { resourceType }), { description: 'Notes on it.' }),
    tasks: t.relatedConnection('tasks', relatedList(t, { resourceType }), { description: 'Tasks about it.' }),
    calls: t.relatedConnection('calls', relatedList(t, { resourceType }), { description: 'Calls with it.' }),
  };
}

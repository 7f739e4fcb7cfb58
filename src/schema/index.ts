// The GraphQL schema: every synced Base type, sync status. Read-only over the mirror.
import { builder } from './builder.ts';
import './scalars.ts';
import './nodes.ts';
import './types/user.ts';
import './types/lead.ts';
import './types/contact.ts';
import './types/deal.ts';
import './types/pipeline.ts';
import './types/stage.ts';
import './types/source.ts';
import './types/loss-reason.ts';
import './types/tag.ts';
import './types/note.ts';
import './types/task.ts';
import './types/call.ts';
import './types/associated-contact.ts';
import './types/product.ts';
import './types/order.ts';
import './types/line-item.ts';
import './custom-field-definitions.ts';
import './mirror-stats.ts';
import './sync-status.ts';
import './rejected-items.ts';
import './subscriptions.ts';

builder.queryType({ description: 'Read the Base CRM mirror.' });

export const schema = builder.toSchema({ sortSchema: true });
export type { Context } from './builder.ts';

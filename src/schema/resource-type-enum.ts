// The ResourceType enum, shared by the subscriptions and the mirror's statistics (its own file, so
// neither depends on the other's module being loaded first).
import { RESOURCE_TYPES, type ResourceType } from '../resource-types.ts';
import { builder } from './builder.ts';

export const ResourceTypeEnum = builder.enumType('ResourceType', {
  description: 'A Base resource type with a table in the mirror.',
  values: Object.fromEntries(RESOURCE_TYPES.map((type) => [type.toUpperCase(), { value: type }])) as Record<string, { value: ResourceType }>,
});

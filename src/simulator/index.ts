// A faithful simulator of the Base (Zendesk Sell) Sync API: the upstream of demo mode and of
// every test and benchmark. Depends on nothing in src/sync.
export { DEMO_TOKEN } from './auth.ts';
export { createSimulator, type Simulator, type SimulatorOptions, type SimulatorStats } from './simulator.ts';
export { ChangeBatchError, type Change, type ChangeResult, type ChangeProblem } from './changes.ts';
export type { SimObject } from './control.ts';
export type { SeedRequest, SeedResult } from './context.ts';
export type { FaultConfig } from './faults.ts';
export type { SyncItem } from './queue.ts';
export { REVISION_MODELS, type RevisionModel } from './revisions.ts';
export { CUSTOM_FIELD_RESOURCES, CUSTOM_FIELD_TYPES, type CustomFieldDefinition, type CustomFieldResource, type CustomFieldType } from './custom-fields.ts';
export type { NewCustomField } from './world.ts';

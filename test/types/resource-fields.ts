// Checked by `tsc` (npm test runs it first), never run: the resource files' field builders are
// Pothos' typed builders for their model, so a misspelt relation or column does not compile.
import type { ResourceFieldBuilder, ResourceOptions } from '../../src/schema/resources.ts';
import { relatedList } from '../../src/schema/resources.ts';

/** What a resource file gives defineResource as its fields: checked against Deal. */
export const dealFields: NonNullable<ResourceOptions<'Deal'>['fields']> = (t) => ({
  lossReason: t.relation('lossReason', { nullable: true }),
  // @ts-expect-error: Deal has no relation `lossReasn`.
  misspelt: t.relation('lossReasn', { nullable: true }),
  // @ts-expect-error: `stage` is a to-one relation, not a connection.
  stages: t.relatedConnection('stage', relatedList(t)),
  // @ts-expect-error: Deal has no column `nmae`.
  nmae: t.exposeString('nmae'),
});

/** A relation of another model is not one of this model's. */
export const leadFields = (t: ResourceFieldBuilder<'Lead'>) => ({
  // @ts-expect-error: `lossReason` is a relation of Deal, not of Lead.
  lossReason: t.relation('lossReason', { nullable: true }),
});

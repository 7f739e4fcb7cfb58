// A node's field builder as seen by code that names fields and their types at run time: the
// columns every resource exposes from the Prisma datamodel, the custom-field accessors of
// leads, contacts and deals. The compiler cannot check such names against a model; the
// resource files, whose names are written out, use Pothos' typed builder (ResourceFieldBuilder).
import type { ArgBuilder, FieldRef, InputFieldMap } from '@pothos/core';
import type { BuilderTypes } from './builder.ts';

/** The field builder of a Prisma node, with field names and types known at run time. */
export interface RuntimeFieldBuilder {
  arg: ArgBuilder<BuilderTypes>;
  expose(name: string, options: { type: string | [string]; nullable: boolean }): FieldRef<BuilderTypes>;
  field<Row, Args>(options: {
    type: string | [string];
    nullable?: boolean;
    description?: string;
    args?: InputFieldMap;
    select: Record<string, true>;
    resolve: (row: Row, args: Args) => unknown;
  }): FieldRef<BuilderTypes>;
}

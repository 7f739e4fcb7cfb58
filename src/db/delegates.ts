// A model's Prisma delegate chosen by name at run time (the schema and the change feed serve
// every model through the same code). Prisma types each delegate for its model; code that
// builds its arguments from the datamodel sees them through this one shape instead.
import { modelNameOf, type PascalCase, type ResourceType } from '../resource-types.ts';
import type { PrismaClient } from './client.ts';
import type PrismaTypes from './generated/pothos-types.ts';

/** A Prisma model's name, as in schema.prisma: `LineItem`. */
export type ModelName = keyof PrismaTypes & string;

/** The row of a model, as read whole. */
export type ModelRow<N extends ModelName> = PrismaTypes[N]['Shape'];

/**
 * What the schema and the change feed ask of a model's delegate, with arguments built at run
 * time: rows come back as the model's (a `select` reads some of its columns, as its caller knows).
 */
export interface ModelDelegate<Row = Record<string, unknown>> {
  findMany(args: object): Promise<Row[]>;
  findFirst(args: object): Promise<Row | null>;
  count(args?: object): Promise<number>;
}

/** The Prisma client's property for a model: `LineItem` → `lineItem`. */
export const delegateNameOf = <N extends ModelName>(name: N): Uncapitalize<N> => (name[0]!.toLowerCase() + name.slice(1)) as Uncapitalize<N>;

/** The delegate of a model. */
export function delegateOf<N extends ModelName>(prisma: PrismaClient, name: N): ModelDelegate<ModelRow<N>> {
  // Every model's delegate has this shape: the compiler checks it here, once for all of them.
  const delegates: { [M in ModelName as Uncapitalize<M>]: ModelDelegate<ModelRow<M>> } = prisma;
  return delegates[delegateNameOf(name)];
}

/** The rows of a resource type that `args` finds (whole rows unless `args` selects). */
export function findManyOf<T extends ResourceType>(prisma: PrismaClient, type: T, args: object): Promise<Array<ModelRow<PascalCase<T>>>> {
  return delegateOf(prisma, modelNameOf(type)).findMany(args);
}

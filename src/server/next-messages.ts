// The graphql-ws `next` message of a result, built once for every subscriber of a shared
// execution: the payload is serialized once per result, the message (which differs only by the
// operation id) once per result and id, and every socket is handed the same bytes. Byte for byte
// what graphql-ws itself would send (`stringifyMessage({ id, type: 'next', payload })`).
import type { ExecutionResult } from 'graphql';

/** The payload graphql-ws sends for a result, as JSON: its fields, with `errors` (when any) last. */
export function nextPayloadJson(result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
}

/** The text of a `next` message for operation `id`, given its payload's JSON. */
export const nextMessageText = (id: string, payloadJson: string): string => `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;

export interface NextMessages {
  /** The `next` message of `result` for operation `id`, as UTF-8 bytes: the same Buffer for the same result and id. */
  bytes(result: ExecutionResult, id: string): Buffer;
}

export function createNextMessages(): NextMessages {
  // Per result object (one per event and execution, shared by its subscribers): gone with it.
  const built = new WeakMap<ExecutionResult, { payload: string; byId: Map<string, Buffer> }>();
  return {
    bytes(result, id) {
      let entry = built.get(result);
      if (!entry) {
        entry = { payload: nextPayloadJson(result), byId: new Map() };
        built.set(result, entry);
      }
      let bytes = entry.byId.get(id);
      if (!bytes) {
        bytes = Buffer.from(nextMessageText(id, entry.payload));
        entry.byId.set(id, bytes);
      }
      return bytes;
    },
  };
}

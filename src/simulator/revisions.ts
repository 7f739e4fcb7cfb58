// How the simulated account numbers the states of its objects (`meta.sync.revision`, the last
// part of an ack key). Base documents only that a revision exists; its example shows
// 1375200190 for an update and 0 for a delete: a large, account-wide, increasing number. The
// mirror must be right whichever it is, so the simulator can number states either way.

/** `clock`: one increasing number for the whole account (like Base's example); `counter`: per object, from 1. */
export type RevisionModel = 'counter' | 'clock';

export const REVISION_MODELS: readonly RevisionModel[] = ['counter', 'clock'];

/** Where the clock of a new account starts: the revision in Base's example. */
export const CLOCK_START = 1_375_200_190;

export interface Revisions {
  readonly model: RevisionModel;
  /** The revision of an object's next state, given its current one (0 when it has none). */
  next(current: number): number;
  /** The newest revision the clock handed out (0 for counters, which have no clock). */
  last(): number;
}

/** Revisions of `model`; a clock continues after `clockAfter` (default: just before {@link CLOCK_START}). */
export function createRevisions(model: RevisionModel, clockAfter = CLOCK_START - 1): Revisions {
  if (model === 'counter') return { model, next: (current) => current + 1, last: () => 0 };
  let clock = clockAfter;
  return { model, next: () => ++clock, last: () => clock };
}

// Associations of one pair, through the real sync: a history of create, update, move, delete and
// re-create on a (deal, contact) pair, synced with sessions at every possible set of moments
// between its steps (each item its own page), under the run's revision model. After every
// session the mirror equals the truth, and the change events are exactly the changes the
// device could see: one per association that appeared, changed or went away.
import { beforeAll, expect, it } from 'vitest';
import type { Change } from '../../src/simulator/index.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth, withClient } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const TYPE = 'associated_contact';
const db = useTestDatabase();
let f: SyncFixture;
beforeAll(async () => {
  f = await startSyncFixture(db, { world: { counts: { user: 1 } }, pageSize: 1 });
  await f.engine().runOnce();
});

/** One history on pair P = (deal, first) with P2 = (deal, second); A, B and C are associations. */
type Step =
  | { op: 'create'; as: 'A' | 'B' | 'C'; on: 'P' | 'P2'; role: string }
  | { op: 'update'; of: 'A' | 'B' | 'C'; role: string }
  | { op: 'move'; of: 'A' | 'B' | 'C'; to: 'P' | 'P2' }
  | { op: 'delete'; of: 'A' | 'B' | 'C' };

const HISTORY: Step[] = [
  { op: 'create', as: 'A', on: 'P', role: 'involved' },
  { op: 'update', of: 'A', role: 'decision maker' },
  { op: 'move', of: 'A', to: 'P2' },
  { op: 'create', as: 'B', on: 'P', role: 'involved' }, // the pair linked again, by another association
  { op: 'update', of: 'A', role: 'champion' }, // A comes after B in the queue now
  { op: 'delete', of: 'B' },
  { op: 'create', as: 'C', on: 'P', role: 'involved' }, // and again, while B is a tombstone
  { op: 'delete', of: 'A' },
];

/** One run of the history: its own deal and contacts, and sessions after the steps in `cuts`. */
interface Run {
  deal: number;
  contacts: { P: number; P2: number };
  ids: Partial<Record<'A' | 'B' | 'C', number>>;
  /** The session after which each step is applied (0 = before the first). */
  sessionOf: number[];
}

const change = (run: Run, step: Step): Change => {
  if (step.op === 'create') return { op: 'create', type: TYPE, data: { deal_id: run.deal, contact_id: run.contacts[step.on], role: step.role } };
  const id = run.ids[step.of]!;
  if (step.op === 'update') return { op: 'update', type: TYPE, id, data: { role: step.role } };
  if (step.op === 'move') return { op: 'update', type: TYPE, id, data: { contact_id: run.contacts[step.to] } };
  return { op: 'delete', type: TYPE, id };
};

const lastSeq = () => withClient(db.url, async (c) => (await c.query(`SELECT COALESCE(max(seq), 0)::text AS s FROM change_events`)).rows[0].s as string);
const eventsAfter = (seq: string) =>
  withClient(db.url, async (c) =>
    (await c.query(`SELECT kind, resource_id::text AS id, revision::text FROM change_events WHERE type = $1 AND seq > $2`, [TYPE, seq])).rows.map(
      (e) => `${e.kind} ${e.id} ${e.revision}`,
    ),
  );

it('every placement of sessions between the steps ends with the truth, and one event per change the device could see', async () => {
  const gaps = HISTORY.length - 1;
  const runs: Run[] = [];
  // Every subset of the gaps between steps gets a session: 2^7 runs, side by side.
  for (let cuts = 0; cuts < 2 ** gaps; cuts++) {
    const [deal, first, second] = f.sim.changes([
      { op: 'create', type: 'deal', data: { name: `interleaving ${cuts}` } },
      { op: 'create', type: 'contact', data: { is_organization: false, name: `first ${cuts}` } },
      { op: 'create', type: 'contact', data: { is_organization: false, name: `second ${cuts}` } },
    ]);
    const sessionOf = HISTORY.map((_, k) => [...Array(k).keys()].filter((gap) => cuts & (1 << gap)).length);
    runs.push({ deal: deal!.id, contacts: { P: first!.id, P2: second!.id }, ids: {}, sessionOf });
  }
  await f.engine().runOnce();

  // What the device holds of each association, as the mirror should: live at a revision, or gone.
  const seen = new Map<number, { live: boolean; revision: number }>();
  for (let session = 0; session <= gaps; session++) {
    for (const run of runs) {
      HISTORY.forEach((step, k) => {
        if (run.sessionOf[k] !== session) return;
        const [result] = f.sim.changes([change(run, step)]);
        if (step.op === 'create') run.ids[step.as] = result!.id;
      });
    }
    const before = await lastSeq();
    const summary = await f.engine().runOnce();
    expect(summary.interrupted).toBe(false);

    const expected: string[] = [];
    for (const run of runs) {
      for (const id of Object.values(run.ids)) {
        const truth = f.sim.object(TYPE, id);
        const had = seen.get(id);
        if (truth && !had?.live) expected.push(`CREATED ${id} ${truth.revision}`);
        else if (truth && had && truth.revision !== had.revision) expected.push(`UPDATED ${id} ${truth.revision}`);
        else if (!truth && had?.live) expected.push(`DELETED ${id} ${had.revision}`);
        if (truth) seen.set(id, { live: true, revision: truth.revision });
        else if (had) seen.set(id, { live: false, revision: had.revision });
      }
    }
    expect((await eventsAfter(before)).sort(), `events of session ${session}`).toEqual(expected.sort());
    await expectMirrorEqualsTruth(db.url, f.sim);
  }
  // Every kind of change happened, in some runs unseen (created and deleted between two sessions).
  const all = await eventsAfter('0');
  for (const kind of ['CREATED', 'UPDATED', 'DELETED']) expect(all.some((e) => e.startsWith(kind))).toBe(true);
  expect(all.filter((e) => e.startsWith('CREATED')).length).toBeLessThan(runs.length * 3);
  await expectChangeLogConsistent(db.url);
});

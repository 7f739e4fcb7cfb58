// An associated contact is identified, in Base, by its (deal_id, contact_id) pair: at any
// moment the live ones have distinct pairs — seeded, after activity, and through the control API.
import { describe, expect, it } from 'vitest';
import { ChangeBatchError, createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { planCounts } from '../../src/simulator/generator.ts';
import { startSimulator, type ErrorBody } from './fixture.ts';
import { SIMULATOR_REVISIONS } from '../fixtures/revisions.ts';

const TYPE = 'associated_contact';

type Triple = [id: number, dealId: number, contactId: number];
/** The first two live associated contacts (of a world where they have complete pairs). */
const firstTwo = (sim: Simulator): [Triple, Triple] => associations(sim).slice(0, 2) as [Triple, Triple];
/** The only live associated contact. */
const only = (sim: Simulator): Triple => associations(sim)[0] as Triple;

/** Live associated contacts as [id, deal_id, contact_id]. */
function associations(sim: Simulator): Array<[number, unknown, unknown]> {
  return [...sim.objects(TYPE)].map((o) => [o.id, o.data.deal_id, o.data.contact_id]);
}

/** Pairs held by more than one live associated contact (none expected). */
function duplicatePairs(sim: Simulator): string[] {
  const seen = new Map<string, number>();
  const dupes: string[] = [];
  for (const [id, dealId, contactId] of associations(sim)) {
    if (dealId === null || contactId === null) continue;
    const key = `${String(dealId)}:${String(contactId)}`;
    const other = seen.get(key);
    if (other !== undefined) dupes.push(`${key} (ids ${other} and ${id})`);
    else seen.set(key, id);
  }
  return dupes;
}

describe('associated contact pairs', () => {
  for (const total of [1000, 10_000]) {
    for (const seed of [1, 7, 42]) {
      it(`are unique in a seeded world (total ${total}, seed ${seed}) and after activity`, () => {
        const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total }, seed });
        const seeded = associations(sim);
        expect(seeded.length).toBeGreaterThan(0);
        expect(duplicatePairs(sim)).toEqual([]);
        // Every seeded one names an existing deal and an existing person.
        for (const [, dealId, contactId] of seeded) {
          expect(sim.object('deal', dealId as number)).toBeDefined();
          expect(sim.object('contact', contactId as number)?.data.is_organization).toBe(false);
        }

        sim.runActivity(5000);
        const after = associations(sim);
        expect(after.some(([id]) => !seeded.some(([s]) => s === id))).toBe(true); // activity created some
        expect(duplicatePairs(sim)).toEqual([]);
        for (const [, dealId, contactId] of after) expect([typeof dealId, typeof contactId]).toEqual(['number', 'number']);
      });
    }
  }

  it('the pair of the same id is the same for the same seed', () => {
    const a = associations(createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 1000 }, seed: 7 }));
    const b = associations(createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 1000 }, seed: 7 }));
    expect(b).toEqual(a);
  });

  it('worlds planned from a total never run out of pairs', () => {
    for (let total = 0; total <= 5000; total += 7) {
      const c = planCounts(total);
      const deals = c.deal ?? 0;
      const persons = (c.contact ?? 0) - Math.ceil((c.contact ?? 0) / 5);
      if ((c.associated_contact ?? 0) > 0) expect(c.associated_contact, `total ${total}`).toBeLessThanOrEqual(deals * persons);
    }
  });

  it('a world with every pair in use is filled exactly; overflow gets a null contact_id', () => {
    // 2 deals × 4 persons (contacts 2..5; 1 and 6 are organizations) = 8 pairs.
    const full = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { counts: { user: 1, deal: 2, contact: 6, associated_contact: 8 } }, seed: 3 });
    expect(duplicatePairs(full)).toEqual([]);
    expect(associations(full).every(([, d, c]) => typeof d === 'number' && typeof c === 'number')).toBe(true);

    const over = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { counts: { user: 1, deal: 2, contact: 6, associated_contact: 11 } }, seed: 3 });
    expect(duplicatePairs(over)).toEqual([]);
    expect(associations(over).filter(([, , c]) => c === null)).toHaveLength(3);
  });

  it('activity in a world without a free pair creates no associated contact and never throws', () => {
    const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { counts: { user: 1, deal: 1, contact: 3, associated_contact: 2 } }, seed: 9 });
    expect(duplicatePairs(sim)).toEqual([]);
    expect(() => sim.runActivity(3000)).not.toThrow();
    expect(duplicatePairs(sim)).toEqual([]);
  });

  it('stay unique under heavy activity in a crowded world', () => {
    for (const seed of [1, 7, 42]) {
      // 4 deals × 8 persons = 32 pairs, 20 of them seeded: activity's creates often draw a used one.
      const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { counts: { user: 2, deal: 4, contact: 10, associated_contact: 20 } }, seed });
      for (let round = 0; round < 10; round++) {
        sim.runActivity(500);
        expect(duplicatePairs(sim), `seed ${seed}, round ${round}`).toEqual([]);
      }
    }
  });

  it('activity updates never change a pair', () => {
    const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 2000 }, seed: 5 });
    const before = new Map(associations(sim).map(([id, d, c]) => [id, `${String(d)}:${String(c)}`]));
    sim.runActivity(3000);
    for (const [id, d, c] of associations(sim)) {
      const was = before.get(id);
      if (was !== undefined) expect(`${String(d)}:${String(c)}`).toBe(was);
    }
  });

  it('the control API refuses a create or an update naming a live pair (422 already_exists, nothing applied)', async () => {
    const c = await startSimulator({ world: { total: 1000 }, seed: 7 });
    const [[, dealId, contactId], [secondId, otherDeal, otherContact]] = firstTwo(c.sim);
    const revisionOf = (id: number): number | undefined => c.sim.object(TYPE, id)?.revision;
    const count = c.sim.counts()[TYPE];
    const [leadRevision, secondRevision] = [c.sim.object('lead', 1)!.revision, revisionOf(secondId)];

    const created = await c.control('POST', '/_sim/changes', [
      { op: 'update', type: 'lead', id: 1, data: { status: 'Working' } },
      { op: 'create', type: TYPE, data: { deal_id: dealId, contact_id: contactId, role: 'involved' } },
    ]);
    expect(created.status).toBe(422);
    expect(((await created.json()) as ErrorBody).errors.map((e) => [e.error.code, e.error.resource, e.error.field])).toEqual([
      ['already_exists', TYPE, '[1].data'],
    ]);
    expect(c.sim.object('lead', 1)!.revision).toBe(leadRevision);
    expect(c.sim.counts()[TYPE]).toBe(count);

    // Moving the second onto the first's pair, whole or by one half.
    for (const data of [{ deal_id: dealId, contact_id: contactId }, ...(otherContact === contactId ? [{ deal_id: dealId }] : []), ...(otherDeal === dealId ? [{ contact_id: contactId }] : [])]) {
      const res = await c.control('POST', '/_sim/changes', [{ op: 'update', type: TYPE, id: secondId, data }]);
      expect(res.status).toBe(422);
      expect(((await res.json()) as ErrorBody).errors[0]!.error.code).toBe('already_exists');
    }
    expect(revisionOf(secondId)).toBe(secondRevision);

    // Two creates of one batch naming the same (free) pair.
    const freePerson = [...c.sim.objects('contact')].find(
      (o) => !o.data.is_organization && !associations(c.sim).some(([, d, p]) => d === dealId && p === o.id),
    )!.id;
    const twice = await c.control('POST', '/_sim/changes', [
      { op: 'create', type: TYPE, data: { deal_id: dealId, contact_id: freePerson } },
      { op: 'create', type: TYPE, data: { deal_id: dealId, contact_id: freePerson } },
    ]);
    expect(twice.status).toBe(422);
    expect(((await twice.json()) as ErrorBody).errors.map((e) => e.error.field)).toEqual(['[1].data']);
    expect(duplicatePairs(c.sim)).toEqual([]);
    expect(c.sim.counts()[TYPE]).toBe(count);
    expect(() => c.sim.changes([{ op: 'update', type: TYPE, id: secondId, data: { deal_id: dealId, contact_id: contactId } }])).toThrow(ChangeBatchError);
  });

  it('the control API accepts a pair freed earlier in the batch, and a no-op pair update', async () => {
    const c = await startSimulator({ world: { total: 1000 }, seed: 7 });
    const [[firstId, dealId, contactId], [secondId, oldDeal, oldContact]] = firstTwo(c.sim);
    const seeded = c.sim.object(TYPE, firstId)!.revision;
    const res = await c.control('POST', '/_sim/changes', [
      { op: 'update', type: TYPE, id: firstId, data: { deal_id: dealId, contact_id: contactId, role: 'influencer' } },
      { op: 'delete', type: TYPE, id: firstId },
      { op: 'update', type: TYPE, id: secondId, data: { deal_id: dealId, contact_id: contactId } },
    ]);
    expect(res.status).toBe(200);
    expect(c.sim.object(TYPE, secondId)!.data).toMatchObject({ deal_id: dealId, contact_id: contactId });
    expect(duplicatePairs(c.sim)).toEqual([]);
    // The pair the second left is free again; the one it took is not.
    expect(() => c.sim.changes([{ op: 'create', type: TYPE, id: firstId, data: { deal_id: dealId, contact_id: contactId } }])).toThrow(ChangeBatchError);
    const [again] = c.sim.changes([{ op: 'create', type: TYPE, id: firstId, data: { deal_id: oldDeal, contact_id: oldContact } }]);
    // Created again: a revision newer than its earlier states' (seeded, then updated in the batch).
    expect(again).toEqual({ type: TYPE, id: firstId, revision: c.sim.object(TYPE, firstId)!.revision });
    expect(again!.revision).toBeGreaterThan(seeded);
    expect(duplicatePairs(c.sim)).toEqual([]);
  });

  it('creates without a pair draw a free one and avoid pairs the batch names', () => {
    // One deal, two persons (contacts 2 and 3; 1 is an organization): one pair is seeded, one free.
    const sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { counts: { user: 1, deal: 1, contact: 3, associated_contact: 1 } }, seed: 2 });
    const [, dealId, takenPerson] = only(sim);
    const freePerson = takenPerson === 2 ? 3 : 2;
    const [drawn, named] = sim.changes([
      { op: 'create', type: TYPE },
      { op: 'create', type: TYPE, data: { deal_id: dealId, contact_id: freePerson } },
    ]);
    // The first could only have drawn the pair the second names: it gets no contact instead.
    expect(sim.object(TYPE, drawn!.id)!.data).toMatchObject({ deal_id: dealId, contact_id: null });
    expect(sim.object(TYPE, named!.id)!.data).toMatchObject({ deal_id: dealId, contact_id: freePerson });
    expect(duplicatePairs(sim)).toEqual([]);

    // With the pair deleted, a create draws it.
    sim.changes([{ op: 'delete', type: TYPE, id: named!.id }]);
    const [again] = sim.changes([{ op: 'create', type: TYPE }]);
    expect(sim.object(TYPE, again!.id)!.data).toMatchObject({ deal_id: dealId, contact_id: freePerson });
  });
});

// Revisions come in two models: `clock` (the default), one account-wide increasing number like
// Base's example (`"revision": 1375200190`), and `counter`, per object from 1. Deletes are 0 in
// both. `simulate --revisions` picks one.
import { describe, expect, it } from 'vitest';
import { createSimulator, DEMO_TOKEN, type Simulator } from '../../src/simulator/index.ts';
import { runCli } from '../fixtures/cli.ts';
import { startSimulator } from './fixture.ts';

const revisions = (sim: Simulator) => [...sim.objects()].map((o) => o.revision);

describe('clock (the default)', () => {
  it('numbers every state of the account with a distinct, increasing number as large as Base\'s', () => {
    const sim = createSimulator({ world: { total: 500 }, seed: 2 });
    const seeded = revisions(sim);
    expect(new Set(seeded).size).toBe(seeded.length);
    expect(Math.min(...seeded)).toBeGreaterThanOrEqual(1_375_200_190);
    // Each change, of any object, is newer than every state before it.
    let newest = Math.max(...seeded);
    const leads = [...sim.objects('lead')].map((o) => o.id);
    for (const change of [
      { op: 'update', type: 'lead', id: leads[0]!, data: { title: 'CEO' } },
      { op: 'create', type: 'deal', data: { name: 'New' } },
      { op: 'update', type: 'lead', id: leads[1]!, data: { title: 'CTO' } },
      { op: 'update', type: 'lead', id: leads[0]!, data: { title: 'CFO' } },
    ] as const) {
      const [result] = sim.changes([change]);
      expect(result!.revision).toBeGreaterThan(newest);
      newest = result!.revision;
    }
  });

  it('gives a delete revision 0, and an object created again a newer revision than its old ones', async () => {
    const c = await startSimulator({ world: { counts: { user: 1, lead: 2 } }, revisions: 'clock' });
    await c.session();
    const before = c.sim.object('lead', 1)!.revision;
    expect(c.sim.changes([{ op: 'delete', type: 'lead', id: 1 }])).toEqual([{ type: 'lead', id: 1, revision: 0 }]);
    const { items } = await c.session();
    expect(items.map((i) => [i.meta.sync.ack_key, i.meta.sync.revision])).toEqual([['Lead-1-0', 0]]);
    const [again] = c.sim.changes([{ op: 'create', type: 'lead', id: 1 }]);
    expect(again!.revision).toBeGreaterThan(before);
  });

  it('goes on across a new world: the account\'s revisions never go back', () => {
    const sim = createSimulator({ world: { total: 100 } });
    const old = Math.max(...revisions(sim));
    sim.seed({ total: 100 });
    expect(Math.min(...revisions(sim))).toBeGreaterThan(old);
  });
});

describe('counter', () => {
  it('numbers the states of each object from 1, going on when it is created again', () => {
    const sim = createSimulator({ world: { counts: { user: 1, lead: 3 } }, revisions: 'counter' });
    expect(revisions(sim)).toEqual([1, 1, 1, 1]);
    expect(sim.changes([{ op: 'update', type: 'lead', id: 2, data: { title: 'CEO' } }])).toEqual([{ type: 'lead', id: 2, revision: 2 }]);
    expect(sim.changes([{ op: 'delete', type: 'lead', id: 2 }])).toEqual([{ type: 'lead', id: 2, revision: 0 }]);
    expect(sim.changes([{ op: 'create', type: 'lead', id: 2 }])).toEqual([{ type: 'lead', id: 2, revision: 3 }]);
  });
});

describe('simulate --revisions', () => {
  const start = async (args: string[]) => {
    const sim = runCli(['simulate', '--port', '0', '--objects', '20', ...args], {});
    const line = await sim.waitFor((l) => typeof l.url === 'string' && /simulator at/.test(l.msg ?? ''));
    const url = line.url as string;
    const res = await fetch(`${url}/_sim/objects?type=user`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } });
    const body = (await res.json()) as { items: Array<{ revision: number }> };
    await sim.stop();
    return body.items.map((o) => o.revision);
  };

  it('serves counters with counter, and the clock by default', async () => {
    expect(new Set(await start(['--revisions', 'counter']))).toEqual(new Set([1]));
    expect(Math.min(...(await start([])))).toBeGreaterThanOrEqual(1_375_200_190);
  });

  it('refuses another model, naming the choices', async () => {
    const sim = runCli(['simulate', '--port', '0', '--revisions', 'random'], {});
    expect((await sim.exited).code).not.toBe(0);
    expect(sim.stderr()).toMatch(/--revisions.*counter, clock/);
  });
});

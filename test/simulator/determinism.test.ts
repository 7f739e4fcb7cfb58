// The same seed gives the same world; another seed gives another.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/index.ts';
import { startSimulator } from './fixture.ts';
import { SIMULATOR_REVISIONS } from '../fixtures/revisions.ts';

describe('determinism', () => {
  it('the same seed generates the same world, object for object', () => {
    const a = [...createSimulator({ revisions: SIMULATOR_REVISIONS, seed: 7, world: { total: 3000 } }).objects()];
    const b = [...createSimulator({ revisions: SIMULATOR_REVISIONS, seed: 7, world: { total: 3000 } }).objects()];
    expect(b).toEqual(a);
  });

  it('another seed generates another world of the same shape', () => {
    const a = [...createSimulator({ revisions: SIMULATOR_REVISIONS, seed: 7, world: { total: 500 } }).objects()];
    const b = [...createSimulator({ revisions: SIMULATOR_REVISIONS, seed: 8, world: { total: 500 } }).objects()];
    expect(b.map((o) => [o.type, o.id])).toEqual(a.map((o) => [o.type, o.id]));
    expect(b.map((o) => o.data)).not.toEqual(a.map((o) => o.data));
  });

  it('the same seed over HTTP serves the same items', async () => {
    const one = await startSimulator({ seed: 3, world: { total: 400 } });
    const two = await startSimulator({ seed: 3, world: { total: 400 } });
    const [x, y] = await Promise.all([one.session(), two.session()]);
    expect(y.items).toEqual(x.items);
  });

  it('activity is reproducible given the seed', () => {
    const run = (): unknown[] => {
      const s = createSimulator({ revisions: SIMULATOR_REVISIONS, seed: 5, world: { total: 1000 } });
      s.runActivity(300);
      return [...s.objects()].map((o) => [o.type, o.id, o.revision]);
    };
    expect(run()).toEqual(run());
  });
});

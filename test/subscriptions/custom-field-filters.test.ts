// A subscription whose `where` names custom fields (its own, under NOT, or a related contact's)
// receives exactly the changes that match.
import { expect, it } from 'vitest';
import { useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'deal' });

it('delivers exactly the changes of deals whose custom fields match', async () => {
  const [person, other] = [...g.sim.objects('contact')].filter((c) => c.data.is_organization === false);
  g.sim.changes([
    { op: 'update', type: 'contact', id: person!.id, data: { custom_fields: { Region: 'APAC' } } },
    { op: 'update', type: 'contact', id: other!.id, data: { custom_fields: { Region: 'EMEA' } } },
  ]);
  await g.settled('contact');

  const big = await g.subscribe(
    `subscription { dealChanged(where: { customFields: [{ name: "Region", eq: "EMEA" }, { name: "Budget", gte: "50000" }] }) { kind node { name customNumber(name: "Budget") } } }`,
  );
  const notEmea = await g.subscribe(`subscription { dealChanged(where: { NOT: { customFields: [{ name: "Region", eq: "EMEA" }] }, name: { startsWith: "Sub " } }) { node { name } } }`);
  const ofApacContacts = await g.subscribe(
    `subscription { dealChanged(where: { contact: { customFields: [{ name: "Region", eq: "APAC" }] }, name: { startsWith: "Sub " } }) { kind node { name } } }`,
  );
  // Every change of these deals: the test waits on it between steps (the queue keeps only the freshest state).
  const every = await g.subscribe(`subscription { dealChanged(where: { name: { startsWith: "Sub " } }) { kind } }`);

  const made = g.sim.changes([
    { op: 'create', type: 'deal', data: { name: 'Sub big EMEA', custom_fields: { Region: 'EMEA', Budget: '90000' }, contact_id: other!.id } },
    { op: 'create', type: 'deal', data: { name: 'Sub small EMEA', custom_fields: { Region: 'EMEA', Budget: '1000' }, contact_id: other!.id } },
    { op: 'create', type: 'deal', data: { name: 'Sub big APAC', custom_fields: { Region: 'APAC', Budget: '90000' }, contact_id: person!.id } },
    { op: 'create', type: 'deal', data: { name: 'Sub no fields', custom_fields: {}, contact_id: other!.id } },
  ]);
  await every.waitFor(4);
  // The small one grows into the filter; the big one leaves it (its budget becomes text).
  g.sim.changes([
    { op: 'update', type: 'deal', id: made[1]!.id, data: { custom_fields: { Region: 'EMEA', Budget: '50000.00' } } },
    { op: 'update', type: 'deal', id: made[0]!.id, data: { custom_fields: { Region: 'EMEA', Budget: 'tbd' } } },
  ]);
  await every.waitFor(6);
  // Last, a change every subscription matches: whatever was wrongly let through arrived before it.
  g.sim.changes([
    { op: 'update', type: 'deal', id: made[2]!.id, data: { name: 'Sub last', custom_fields: { Region: 'EMEA', Budget: '60000' } } },
    { op: 'update', type: 'deal', id: made[3]!.id, data: { name: 'Sub last', custom_fields: { Region: 'LATAM' }, contact_id: person!.id } },
  ]);
  await every.waitFor(8);

  await big.waitFor(3);
  await notEmea.waitFor(2);
  await ofApacContacts.waitFor(3);
  expect(big.results.map((r) => [r.dealChanged.kind, r.dealChanged.node.name, r.dealChanged.node.customNumber])).toEqual([
    ['CREATED', 'Sub big EMEA', '90000'],
    ['UPDATED', 'Sub small EMEA', '50000.00'],
    ['UPDATED', 'Sub last', '60000'],
  ]);
  // Not EMEA: the APAC deal (and later the LATAM one); never the deal without a region.
  expect(notEmea.results.map((r) => r.dealChanged.node.name)).toEqual(['Sub big APAC', 'Sub last']);
  expect(every.results).toHaveLength(8);
  expect(ofApacContacts.results.map((r) => [r.dealChanged.kind, r.dealChanged.node.name])).toEqual([
    ['CREATED', 'Sub big APAC'],
    ['UPDATED', 'Sub last'],
    ['UPDATED', 'Sub last'],
  ]);
});

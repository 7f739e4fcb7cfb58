// Value pools drawn once per seed from a seeded faker. Payloads then pick from these pools with a
// cheap hash-seeded PRNG: calling faker per object would make a 1,000,000-object drain take minutes.
import { Faker, base, en } from '@faker-js/faker';

export interface Place {
  line1: string;
  city: string;
  postal_code: string;
  state: string;
  country: string;
}

/** Realistic values, all drawn from one seeded faker. */
export interface Pools {
  firstNames: readonly string[];
  lastNames: readonly string[];
  companies: readonly string[];
  domains: readonly string[];
  jobTitles: readonly string[];
  places: readonly Place[];
  sentences: readonly string[];
  paragraphs: readonly string[];
  catchPhrases: readonly string[];
  productNames: readonly string[];
  productDescriptions: readonly string[];
  words: readonly string[];
  phoneNumbers: readonly string[];
  timezones: readonly string[];
}

const POOL_SIZE = 512;

// What a sales team writes in notes, tasks and call summaries (lorem ipsum would not do for a demo).
const PHRASES: ReadonlyArray<(f: Faker) => string> = [
  (f) => `Call ${f.person.firstName()} about the ${f.commerce.productName()} proposal.`,
  (f) => `Send ${f.company.name()} the revised quote.`,
  (f) => `Follow up on the ${f.commerce.department().toLowerCase()} budget next week.`,
  (f) => `${f.person.firstName()} asked for a demo of ${f.commerce.productName()}.`,
  (f) => `Discussed pricing; they want to ${f.company.buzzPhrase()}.`,
  (f) => `Meeting with ${f.person.fullName()} to review the contract.`,
  (f) => `Prepare a case study on ${f.company.buzzNoun()} for ${f.company.name()}.`,
  (f) => `Left a voicemail; ${f.person.firstName()} prefers email.`,
  (f) => `${f.person.firstName()} is comparing us with ${f.company.name()}.`,
  (f) => `Renewal due in ${f.number.int({ min: 2, max: 11 })} months, check usage first.`,
];
const cache = new Map<number, Pools>();

function many<T>(n: number, make: () => T): T[] {
  return Array.from({ length: n }, make);
}

/** The pools of a seed (memoised: tests start many simulators with the same seed). */
export function poolsFor(seed: number): Pools {
  const hit = cache.get(seed);
  if (hit) return hit;
  // A dedicated instance: the shared `faker` export may be reseeded by other code.
  // `base` supplies locale-neutral data (time zones) that `en` does not carry.
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  const pools: Pools = {
    firstNames: many(POOL_SIZE, () => faker.person.firstName()),
    lastNames: many(POOL_SIZE, () => faker.person.lastName()),
    companies: many(POOL_SIZE, () => faker.company.name()),
    domains: many(POOL_SIZE, () => faker.internet.domainName()),
    jobTitles: many(POOL_SIZE / 2, () => faker.person.jobTitle()),
    places: many(POOL_SIZE, () => ({
      line1: faker.location.streetAddress(),
      city: faker.location.city(),
      postal_code: faker.location.zipCode('#####'),
      state: faker.location.state({ abbreviated: true }),
      country: 'United States',
    })),
    sentences: many(POOL_SIZE, () => faker.helpers.arrayElement(PHRASES)(faker)),
    paragraphs: many(POOL_SIZE / 4, () => many(3, () => faker.helpers.arrayElement(PHRASES)(faker)).join(' ')),
    catchPhrases: many(POOL_SIZE / 2, () => faker.company.catchPhrase()),
    productNames: many(POOL_SIZE / 2, () => faker.commerce.productName()),
    productDescriptions: many(POOL_SIZE / 4, () => faker.commerce.productDescription()),
    words: many(POOL_SIZE / 2, () => faker.word.adjective()),
    phoneNumbers: many(POOL_SIZE, () => faker.phone.number({ style: 'international' })),
    timezones: many(32, () => faker.location.timeZone()),
  };
  cache.set(seed, pools);
  return pools;
}

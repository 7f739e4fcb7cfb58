// Counters a test or a demo watches to see what the simulator did (`GET /_sim/stats`).

export interface Counters {
  sessionsStarted: number;
  sessionsFinished: number;
  sessionsExpired: number;
  /** `start` calls answered 204 (nothing to sync). */
  startsEmpty: number;
  /** Queue pages answered 200 (including empty ones). */
  pagesServed: number;
  emptyPagesServed: number;
  itemsDelivered: number;
  /** Items handed out again at a state the device had already been handed out. */
  itemsRedelivered: number;
  failedObjectsReported: number;
  ackRequests: number;
  /** Ack keys received. */
  acksReceived: number;
  /** Ack keys processed (after the background delay). */
  acksProcessed: number;
  /** Ack keys that removed an item from a queue (the rest were stale, unknown or repeated). */
  acksApplied: number;
}

export function createCounters(): Counters {
  return {
    sessionsStarted: 0,
    sessionsFinished: 0,
    sessionsExpired: 0,
    startsEmpty: 0,
    pagesServed: 0,
    emptyPagesServed: 0,
    itemsDelivered: 0,
    itemsRedelivered: 0,
    failedObjectsReported: 0,
    ackRequests: 0,
    acksReceived: 0,
    acksProcessed: 0,
    acksApplied: 0,
  };
}

// Every GraphQL operation the status page sends, in one place (a plain ES module, no build
// step): the page imports them, and a test checks each against the schema.

const SYNC_FIELDS = `fragment SyncFields on SyncStatus {
  state deviceUuid sessionStartedAt sessionFinishedAt lastSuccessAt lastProgressAt lagSeconds
  itemsSynced totalCount countLeft progress itemsPerSecond secondsLeft
  lastError lastErrorAt failedObjectsPending rejectedItems
  failedObjects(first: 10) { type baseId firstReportedAt }
}`;
export const INITIAL_QUERY = `query StatusPage($minutes: Int) {
  syncStatus { ...SyncFields }
  mirrorCounts { type live deleted }
  changeHistory(minutes: $minutes) { minute created updated deleted }
  latestChangeCursor
}
${SYNC_FIELDS}`;
export const HISTORY_QUERY = `query StatusPageHistory($minutes: Int) {
  changeHistory(minutes: $minutes) { minute created updated deleted }
  latestChangeCursor
}`;
export const COUNTS_QUERY = 'query StatusPageCounts { mirrorCounts { type live deleted } }';
export const STATUS_SUBSCRIPTION = `subscription StatusPageSync { syncStatus { ...SyncFields } }
${SYNC_FIELDS}`;

/** The subscription the page runs; `$after` is the cursor to resume after (null: from now). */
export const FEED_QUERY = `subscription StatusPageFeed($after: String) {
  changes(after: $after) {
    cursor kind type baseId occurredAt
    node {
      ... on Lead { firstName lastName organizationName }
      ... on Contact { name }
      ... on Deal { name value currency }
      ... on User { name }
      ... on Note { content }
      ... on Task { content }
      ... on Call { summary }
      ... on Product { name }
      ... on Order { dealId }
      ... on LineItem { name }
      ... on Pipeline { name }
      ... on Stage { name }
      ... on Source { name }
      ... on LeadSource { name }
      ... on DealSource { name }
      ... on LossReason { name }
      ... on Tag { name }
      ... on AssociatedContact { role }
    }
  }
}`;

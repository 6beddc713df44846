/**
 * The single DynamoDB table's key schema, shared by the CDK stack and the local stack so that both
 * create the same table. Access patterns are documented in the README (single-table design).
 */
export const tableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Items that may expire (drafts abandoned, idempotency records) carry epoch seconds here. */
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

/**
 * From counted usage of one application to the cost of 1,000 applications, as a Markdown table.
 * Pure: `count-usage.ts` feeds it the counts of a run.
 */
import { COLD_START, HTTP_SIDE_ESTIMATE, LOG_BYTES, PRICES, PRICES_READ_ON, type Price } from './prices.ts';

export interface CountedUsage {
  transitions: number;
  invocations: Record<string, number>;
  durationMs: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  mails: number;
  s3Puts: number;
  s3Bytes: number;
}

export interface CostLine {
  item: string;
  perApplication: string;
  per1000Usd: number;
  basis: string;
}

const APPLICATIONS = 1000;

/** The source of a price, flagged when the figure was not read from a retrieved page. */
const src = (price: Price): string =>
  price.unverified === true ? `${price.source} (list price, not verified here)` : price.source;
const GB = 1024 ** 3;

/** Memory (MB) of each workflow function, to turn durations into GB-seconds. */
export type MemoryByFunction = Readonly<Record<string, number>>;

export function costLines(usage: CountedUsage, memory: MemoryByFunction, httpMemoryMb = 256): CostLine[] {
  const h = HTTP_SIDE_ESTIMATE;
  const workflowInvocations = Object.values(usage.invocations).reduce((a, b) => a + b, 0);
  const workflowGbSeconds = Object.entries(usage.durationMs).reduce(
    (sum, [fn, ms]) => sum + (ms / 1000) * ((memory[fn] ?? 256) / 1024),
    0,
  );
  const coldGbSeconds = workflowInvocations * COLD_START.share * (COLD_START.initMs / 1000) * (256 / 1024);
  const httpGbSeconds = h.requestsPerApplication * (h.msPerRequest / 1000) * (httpMemoryMb / 1024);
  const gbSeconds = workflowGbSeconds + coldGbSeconds + httpGbSeconds;
  const reads = usage.readUnits + h.readUnitsPerApplication;
  const writes = usage.writeUnits + h.writeUnitsPerApplication;
  const mails = usage.mails + h.mailsPerApplication;
  const puts = usage.s3Puts + h.s3PutsPerApplication;
  const storedGb = (usage.s3Bytes + h.uploadedMegabytesPerApplication * 1024 ** 2) / GB;
  const logGb =
    ((workflowInvocations + h.requestsPerApplication) * LOG_BYTES.perInvocation +
      usage.transitions * LOG_BYTES.perStateTransition +
      h.requestsPerApplication * LOG_BYTES.perApiRequest) /
    GB;
  const n = APPLICATIONS;
  return [
    {
      item: 'Step Functions state transitions',
      perApplication: `${usage.transitions} (counted)`,
      per1000Usd: usage.transitions * n * PRICES.stateTransition.usd,
      basis: src(PRICES.stateTransition),
    },
    {
      item: 'Lambda invocations',
      perApplication: `${workflowInvocations} workflow (counted) + ${h.requestsPerApplication} HTTP (estimate)`,
      per1000Usd: (workflowInvocations + h.requestsPerApplication) * n * PRICES.lambdaRequest.usd,
      basis: src(PRICES.lambdaRequest),
    },
    {
      item: 'Lambda duration (ARM64)',
      perApplication: `${gbSeconds.toFixed(2)} GB-s (workflow ${workflowGbSeconds.toFixed(2)} measured in-process; cold starts and HTTP estimated)`,
      per1000Usd: gbSeconds * n * PRICES.lambdaArmGbSecond.usd,
      basis: src(PRICES.lambdaArmGbSecond),
    },
    {
      item: 'DynamoDB writes',
      perApplication: `${writes} WRU (${usage.writeUnits} counted + ${h.writeUnitsPerApplication} HTTP estimate)`,
      per1000Usd: writes * n * PRICES.dynamoWrite.usd,
      basis: src(PRICES.dynamoWrite),
    },
    {
      item: 'DynamoDB reads',
      perApplication: `${reads} RRU (${usage.readUnits} counted + ${h.readUnitsPerApplication} HTTP estimate)`,
      per1000Usd: reads * n * PRICES.dynamoRead.usd,
      basis: src(PRICES.dynamoRead),
    },
    {
      item: 'SES mail',
      perApplication: `${mails} (${usage.mails} counted + ${h.mailsPerApplication} estimate)`,
      per1000Usd: mails * n * PRICES.sesMail.usd,
      basis: src(PRICES.sesMail),
    },
    {
      item: 'API Gateway HTTP API',
      perApplication: `${h.requestsPerApplication} requests (estimate)`,
      per1000Usd: h.requestsPerApplication * n * PRICES.httpApiRequest.usd,
      basis: src(PRICES.httpApiRequest),
    },
    {
      item: 'S3 requests',
      perApplication: `${puts} PUT (${usage.s3Puts} counted), ${h.s3GetsPerApplication} GET (estimate)`,
      per1000Usd: puts * n * PRICES.s3Put.usd + h.s3GetsPerApplication * n * PRICES.s3Get.usd,
      basis: `${src(PRICES.s3Put)}; ${src(PRICES.s3Get)}`,
    },
    {
      item: 'KMS requests (documents key)',
      perApplication: `at most ${puts + h.s3GetsPerApplication} (one per object request; S3 Bucket Keys make it far fewer)`,
      per1000Usd: (puts + h.s3GetsPerApplication) * n * PRICES.kmsRequest.usd,
      basis: src(PRICES.kmsRequest),
    },
    {
      item: 'CloudWatch Logs ingestion',
      perApplication: `${(logGb * 1024 * 1024).toFixed(0)} KB (estimate from counted events)`,
      per1000Usd: logGb * n * PRICES.logsIngest.usd,
      basis: src(PRICES.logsIngest),
    },
    {
      item: 'S3 storage, per month kept',
      perApplication: `${(storedGb * 1024).toFixed(1)} MB (${usage.s3Bytes} B issued document counted; uploads estimated)`,
      per1000Usd: storedGb * n * PRICES.s3Storage.usd,
      basis: src(PRICES.s3Storage),
    },
  ];
}

/** Costs that do not depend on the number of applications, per regency and month. */
export function fixedMonthlyLines(alarms: number): CostLine[] {
  return [
    {
      item: 'KMS keys (documents, alerts, permit signing)',
      perApplication: '-',
      per1000Usd: 3 * PRICES.kmsKeyMonth.usd,
      basis: `${src(PRICES.kmsKeyMonth)}; +$1 per month per yearly rotation of the documents and alerts keys`,
    },
    {
      item: `CloudWatch alarms (${alarms})`,
      perApplication: '-',
      per1000Usd: alarms * PRICES.alarmMonth.usd,
      basis: src(PRICES.alarmMonth),
    },
  ];
}

const usd = (x: number): string => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);

export function markdownTable(lines: CostLine[], fixed: CostLine[]): string {
  const variable = lines.reduce((s, l) => s + l.per1000Usd, 0);
  const monthly = fixed.reduce((s, l) => s + l.per1000Usd, 0);
  const rows = [
    '| Item | Per application | Per 1,000 applications | Price and source |',
    '|---|---|---|---|',
    ...lines.map((l) => `| ${l.item} | ${l.perApplication} | ${usd(l.per1000Usd)} | ${l.basis} |`),
    `| **Total, variable** | | **${usd(variable)}** | prices read ${PRICES_READ_ON} |`,
    '',
    '| Fixed, per regency and month | | Per month | Price and source |',
    '|---|---|---|---|',
    ...fixed.map((l) => `| ${l.item} | | ${usd(l.per1000Usd)} | ${l.basis} |`),
    `| **Total, fixed** | | **${usd(monthly)}** | |`,
  ];
  return rows.join('\n');
}

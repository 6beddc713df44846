/**
 * Structured JSON logs. Callers pass ids and codes, never personal data (names, NIK, e-mail
 * addresses, document contents): UU 27/2022.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

/**
 * A CloudWatch metric in embedded metric format: one JSON log line that CloudWatch Logs turns into
 * a datapoint in `namespace` (METRICS_NAMESPACE), dimensioned by regency. The
 * stack's alarms watch these (e.g. StageDeadlineBreached).
 */
export function emitMetric(
  namespace: string,
  name: string,
  regencyId: string,
  properties: Record<string, unknown> = {},
): void {
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: namespace, Dimensions: [['Regency']], Metrics: [{ Name: name, Unit: 'Count' }] },
        ],
      },
      Regency: regencyId,
      [name]: 1,
      ...properties,
    }),
  );
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { emitMetric } from '#runtime/log.ts';

describe('emitMetric', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes one CloudWatch embedded-metric line the stack alarms can count, per regency', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => {
      lines.push(line);
    });
    emitMetric('Satupintu', 'StageDeadlineBreached', 'kota-bengkulu', { stageId: 'pemeriksaan-kelengkapan' });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Satupintu',
        Dimensions: [['Regency']],
        Metrics: [{ Name: 'StageDeadlineBreached', Unit: 'Count' }],
      },
    ]);
    expect(record).toMatchObject({
      Regency: 'kota-bengkulu',
      StageDeadlineBreached: 1,
      stageId: 'pemeriksaan-kelengkapan',
    });
  });
});

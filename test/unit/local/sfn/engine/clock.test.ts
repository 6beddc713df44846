import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../../../../local/sfn/engine/clock.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

describe('clocks', () => {
  it('fires ManualClock timers in deadline order, at their deadline, when time is moved past them', () => {
    const clock = new ManualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimer(5_000, () => fired.push(['b', clock.now()]));
    clock.setTimer(3_000, () => {
      fired.push(['a', clock.now()]);
      clock.setTimer(4_000, () => fired.push(['a2', clock.now()]));
    });
    const handle = clock.setTimer(4_500, () => fired.push(['cancelled', clock.now()]));
    handle.cancel();
    clock.advance(10_000);
    expect(fired).toEqual([
      ['a', 3_000],
      ['a2', 4_000],
      ['b', 5_000],
    ]);
    expect(clock.now()).toBe(11_000);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('moves a SystemClock forward, fires due timers at once and persists the offset', async () => {
    const file = join(tempDir(), 'offset.json');
    const clock = new SystemClock({ offsetFile: file });
    const fired = new Promise<number>((resolve) =>
      clock.setTimer(Date.now() + 3_600_000, () => resolve(clock.now())),
    );
    clock.advance(3_600_000);
    expect(await fired).toBeGreaterThanOrEqual(Date.now() + 3_590_000);
    clock.stop();
    expect(new SystemClock({ offsetFile: file }).offsetMs()).toBe(3_600_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

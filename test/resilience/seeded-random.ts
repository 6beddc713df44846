/**
 * mulberry32: timings reproducible from a printed seed (the machine's own timing is not). Gives a
 * function returning whole numbers in [min, max].
 */
export function seededRandom(seed: number): (min: number, max: number) => number {
  let a = seed >>> 0;
  return (min, max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.round(min + r * (max - min));
  };
}

import { describe, expect, it } from 'vitest';
import { ikmBand, SURVEY_ELEMENTS, type SurveyScores, surveyIndex } from '#core/domain/survey.ts';

const all = (score: number): SurveyScores =>
  Object.fromEntries(SURVEY_ELEMENTS.map((e) => [e.id, score])) as SurveyScores;

describe('surveyIndex', () => {
  it('has nine elements, U1 to U9', () => {
    expect(SURVEY_ELEMENTS.map((e) => e.code)).toEqual([
      'U1',
      'U2',
      'U3',
      'U4',
      'U5',
      'U6',
      'U7',
      'U8',
      'U9',
    ]);
  });

  it('computes IKM = sum(NRR x 0.111) x 25 for one respondent', () => {
    // 9 x 4 x 0.111 x 25 = 99.9
    expect(surveyIndex([all(4)])).toMatchObject({ respondents: 1, ikm: 99.9, band: 'A' });
    // 9 x 3 x 0.111 x 25 = 74.925 -> 74.93
    expect(surveyIndex([all(3)])).toMatchObject({ ikm: 74.93, band: 'C' });
  });

  it('averages each element over the respondents (NRR)', () => {
    const index = surveyIndex([all(4), { ...all(3), cost: 1 }]);
    expect(index?.elementAverages.cost).toBe(2.5);
    expect(index?.elementAverages.facilities).toBe(3.5);
    // (8 x 3.5 + 2.5) x 0.111 x 25 = 84.6375 -> 84.64
    expect(index?.ikm).toBe(84.64);
    expect(index?.band).toBe('B');
  });

  it('is undefined without respondents', () => {
    expect(surveyIndex([])).toBeUndefined();
  });
});

describe('ikmBand', () => {
  it.each([
    [100, 'A'],
    [88.31, 'A'],
    [88.3, 'B'],
    [76.61, 'B'],
    [76.6, 'C'],
    [65, 'C'],
    [64.99, 'D'],
    [25, 'D'],
  ])('puts %s in band %s (Permenpan RB 14/2017)', (ikm, band) => {
    expect(ikmBand(ikm).band).toBe(band);
  });
});

/**
 * The community satisfaction survey (Survei Kepuasan Masyarakat, Permenpan RB 14/2017): nine
 * elements, each answered 1 (tidak baik) to 4 (sangat baik). Per element the average score (NRR);
 * the index IKM = sum(NRR x 0.111) x 25, banded A-D. Pure: the store keeps the answers, this computes.
 */

export const SURVEY_ELEMENTS = [
  { id: 'requirements', code: 'U1', label: 'Persyaratan' },
  { id: 'procedure', code: 'U2', label: 'Sistem, mekanisme dan prosedur' },
  { id: 'completionTime', code: 'U3', label: 'Waktu penyelesaian' },
  { id: 'cost', code: 'U4', label: 'Biaya/tarif' },
  { id: 'product', code: 'U5', label: 'Produk spesifikasi jenis pelayanan' },
  { id: 'staffCompetence', code: 'U6', label: 'Kompetensi pelaksana' },
  { id: 'staffBehaviour', code: 'U7', label: 'Perilaku pelaksana' },
  { id: 'complaintHandling', code: 'U8', label: 'Penanganan pengaduan, saran dan masukan' },
  { id: 'facilities', code: 'U9', label: 'Sarana dan prasarana' },
] as const;

export type SurveyElementId = (typeof SURVEY_ELEMENTS)[number]['id'];
/** Each score 1-4 (validated at the API boundary). */
export type SurveyScores = Record<SurveyElementId, number>;

/** The weight of each element: 1 / 9 rounded as the regulation prints it. */
export const ELEMENT_WEIGHT = 0.111;

export type IkmBand = 'A' | 'B' | 'C' | 'D';

export interface SurveyIndex {
  respondents: number;
  /** Average score per element (NRR), 1-4. */
  elementAverages: Record<SurveyElementId, number>;
  /** 25-100, two decimals. */
  ikm: number;
  band: IkmBand;
  /** The regulation's words for the band. */
  bandLabel: string;
}

const BANDS: ReadonlyArray<{ min: number; band: IkmBand; label: string }> = [
  { min: 88.31, band: 'A', label: 'Sangat baik' },
  { min: 76.61, band: 'B', label: 'Baik' },
  { min: 65.0, band: 'C', label: 'Kurang baik' },
  { min: 0, band: 'D', label: 'Tidak baik' },
];

export function ikmBand(ikm: number): { band: IkmBand; label: string } {
  const hit = BANDS.find((b) => ikm >= b.min) ?? BANDS[BANDS.length - 1];
  return { band: hit?.band ?? 'D', label: hit?.label ?? 'Tidak baik' };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The index over a set of responses; undefined for none (an index of nobody means nothing). */
export function surveyIndex(responses: readonly SurveyScores[]): SurveyIndex | undefined {
  if (responses.length === 0) return undefined;
  const elementAverages = {} as Record<SurveyElementId, number>;
  let weighted = 0;
  for (const element of SURVEY_ELEMENTS) {
    const average = responses.reduce((sum, r) => sum + r[element.id], 0) / responses.length;
    elementAverages[element.id] = round2(average);
    weighted += average * ELEMENT_WEIGHT;
  }
  const ikm = round2(weighted * 25);
  const { band, label } = ikmBand(ikm);
  return { respondents: responses.length, elementAverages, ikm, band, bandLabel: label };
}

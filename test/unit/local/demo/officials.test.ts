/** The demo's reading of a decision page: what a person sees in the form, from its HTML. */
import { describe, expect, it } from 'vitest';
import { readDecisionPage } from '../../../../local/demo/officials.ts';

describe('readDecisionPage', () => {
  it('reads the outcomes, the deficient documents, the report field and the CSRF token of a served page', () => {
    const html = [
      '<html><body><header><h1>Keputusan tahap permohonan</h1></header><main>',
      '<form method="post" action="/o/abc" enctype="multipart/form-data">',
      '<input type="hidden" name="csrf" value="c&amp;1"/>',
      '<fieldset><legend>Keputusan</legend>',
      '<label class="choice"><input type="radio" name="outcome" value="approve" required/><span>Setujui</span></label>',
      '<label class="choice"><input type="radio" name="outcome" value="reject" required/><span>Tolak<span class="muted"> (wajib disertai catatan)</span></span></label>',
      '</fieldset><fieldset><legend>Dokumen</legend>',
      '<label class="choice"><input type="checkbox" name="deficient" value="ktp"/><span>Scan asli KTP</span></label>',
      '</fieldset><fieldset><legend>Laporan hasil pemeriksaan</legend><input type="file" name="report" required/></fieldset>',
      '</form></main></body></html>',
    ].join('');

    const page = readDecisionPage(html, 'http://127.0.0.1:4310/o/abc');

    expect(page).toEqual({
      title: 'Keputusan tahap permohonan',
      action: 'http://127.0.0.1:4310/o/abc',
      multipart: true,
      csrf: 'c&1',
      outcomes: [
        { value: 'approve', label: 'Setujui' },
        { value: 'reject', label: 'Tolak' },
      ],
      deficient: [{ id: 'ktp', label: 'Scan asli KTP' }],
      report: 'Laporan hasil pemeriksaan',
    });
  });

  it('says which page has no decision form', () => {
    expect(() =>
      readDecisionPage('<h1>Sudah diputuskan</h1><p>...</p>', 'http://127.0.0.1:4310/o/abc'),
    ).toThrow(/Sudah diputuskan.*no decision form/);
  });
});

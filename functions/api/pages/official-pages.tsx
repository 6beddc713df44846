/**
 * The pages an official meets from a mail link, in Bahasa Indonesia. The decision form has no
 * preselected outcome, so a link scanner that submits forms as it finds them decides nothing; it
 * carries the CSRF token bound to the link. Every value is escaped by Preact.
 */
import type { FieldError } from '#core/domain/field-error.ts';
import { VERDICT_STATUS } from '#core/domain/official-links.ts';
import type { DecisionForm, DecisionPageData, LinkProblem } from '#core/use-cases/official-decisions.ts';
import { Page, renderPage } from './layout.tsx';

export interface RenderedPage {
  status: number;
  html: string;
}

const sizeLabel = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;

const TYPE_LABELS: Readonly<Record<string, string>> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
};

function Errors({ errors }: { errors: readonly FieldError[] }) {
  if (errors.length === 0) return null;
  return (
    <section class="errors" role="alert">
      <h2>Keputusan belum tercatat</h2>
      <ul>
        {errors.map((e) => (
          <li key={`${e.field}:${e.message}`}>{e.message}</li>
        ))}
      </ul>
    </section>
  );
}

const fieldError = (errors: readonly FieldError[], field: string) =>
  errors
    .filter((e) => e.field === field)
    .map((e) => (
      <p class="field-error" key={e.message}>
        {e.message}
      </p>
    ));

function Summary({ data }: { data: DecisionPageData }) {
  return (
    <>
      <section>
        <p>
          Yth. {data.official.name}
          {data.official.roleLabel === undefined ? '' : ` (${data.official.roleLabel})`}
        </p>
        <dl>
          <dt>Nomor lacak</dt>
          <dd>{data.app.trackingCode}</dd>
          <dt>Jenis izin</dt>
          <dd>{data.app.permitName}</dd>
          {data.app.renews === undefined ? null : (
            <>
              <dt>Perpanjangan</dt>
              <dd>Menggantikan izin nomor {data.app.renews}</dd>
            </>
          )}
          <dt>Pemohon</dt>
          <dd>{data.app.applicantName}</dd>
          {data.app.submittedAt === undefined ? null : (
            <>
              <dt>Diajukan</dt>
              <dd>{data.app.submittedAt}</dd>
            </>
          )}
        </dl>
      </section>
      <section>
        <h2>Tahap: {data.stage.name}</h2>
        <p>{data.stage.instruction}</p>
        {data.stage.produces.length === 0 ? null : (
          <p class="muted">Hasil tahap ini: {data.stage.produces.map((p) => p.label).join('; ')}</p>
        )}
        <p class={data.stage.late ? 'late' : ''}>
          Batas waktu: {data.stage.deadline}
          {data.stage.late ? ' (terlambat)' : ''}
        </p>
      </section>
      <section>
        <h2>Dokumen</h2>
        {data.documents.length === 0 ? (
          <p>Tidak ada dokumen.</p>
        ) : (
          <ul>
            {data.documents.map((d) => (
              <li key={d.ref}>
                <a href={d.href} rel="noreferrer">
                  {d.label}
                </a>{' '}
                <span class="muted">
                  ({TYPE_LABELS[d.mediaType] ?? d.mediaType}, {sizeLabel(d.sizeBytes)})
                </span>
              </li>
            ))}
          </ul>
        )}
        <p class="muted">Setiap pembukaan dokumen dicatat. Tautan unduhan berlaku 2 menit.</p>
      </section>
      <section>
        <h2>Riwayat</h2>
        <ul>
          {data.history.map((h, i) => (
            <li key={`${i}-${h.at}`}>
              <span class="muted">{h.at}</span> {h.label}
              {h.actor === undefined ? '' : ` oleh ${h.actor}`}
              {h.note === undefined ? null : <div class="muted">Catatan: {h.note}</div>}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function DecisionFormView(props: {
  data: DecisionPageData;
  errors: readonly FieldError[];
  form: DecisionForm;
}) {
  const { data, errors, form } = props;
  const action = `/o/${data.token}`;
  const hasReturn = data.outcomes.some((o) => o.value === 'returnForCompletion');
  return (
    <form
      method="post"
      action={action}
      enctype={data.report === undefined ? undefined : 'multipart/form-data'}
    >
      <input type="hidden" name="csrf" value={data.csrf} />
      <fieldset>
        <legend>Keputusan</legend>
        {fieldError(errors, 'outcome')}
        {data.outcomes.map((o) => (
          <label class="choice" key={o.value}>
            <input type="radio" name="outcome" value={o.value} checked={form.outcome === o.value} required />
            <span>
              {o.label}
              {o.needsNote ? <span class="muted"> (wajib disertai catatan)</span> : null}
            </span>
          </label>
        ))}
      </fieldset>
      {hasReturn ? (
        <fieldset>
          <legend>Dokumen yang perlu diperbaiki (hanya untuk pengembalian)</legend>
          {fieldError(errors, 'deficient')}
          {data.requirements.map((r) => (
            <label class="choice" key={r.id}>
              <input
                type="checkbox"
                name="deficient"
                value={r.id}
                checked={(form.deficient ?? []).includes(r.id)}
              />
              <span>{r.label}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {data.report === undefined ? null : (
        <fieldset>
          <legend>{data.report.label}</legend>
          {fieldError(errors, 'report')}
          <input type="file" name="report" accept="application/pdf,image/jpeg,image/png" required />
          <p class="muted">PDF, JPEG atau PNG, paling besar 4 MB.</p>
        </fieldset>
      )}
      <fieldset>
        <legend>Catatan</legend>
        {fieldError(errors, 'note')}
        <textarea name="note" maxlength={2000}>
          {form.note ?? ''}
        </textarea>
        <p class="muted">
          Wajib untuk pengembalian, penolakan dan pengembalian draf. Catatan penolakan dikirim kepada pemohon.
        </p>
      </fieldset>
      <button type="submit">{data.signing ? 'Lanjutkan: kirim kode konfirmasi' : 'Kirim keputusan'}</button>
      {data.signing ? (
        <p class="muted">
          Tahap penandatanganan: kode 6 angka dikirim ke e-mail Anda untuk mengonfirmasi pilihan ini.
        </p>
      ) : null}
    </form>
  );
}

function ChallengeView(props: { data: DecisionPageData; errors: readonly FieldError[] }) {
  const { data, errors } = props;
  const challenge = data.challenge;
  if (challenge === undefined) return null;
  const action = `/o/${data.token}`;
  return (
    <section class="notice">
      <h2>Konfirmasi dengan kode</h2>
      <p>
        Kode 6 angka telah dikirim ke alamat e-mail Anda yang terdaftar. Kode berlaku sampai{' '}
        {challenge.validUntil}.
      </p>
      <dl>
        <dt>Pilihan</dt>
        <dd>{challenge.outcomeLabel}</dd>
        {challenge.note === undefined ? null : (
          <>
            <dt>Catatan</dt>
            <dd>{challenge.note}</dd>
          </>
        )}
      </dl>
      <form method="post" action={action}>
        <input type="hidden" name="csrf" value={data.csrf} />
        {fieldError(errors, 'code')}
        <label for="code">Kode konfirmasi</label>
        <input
          id="code"
          type="text"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          maxlength={6}
          required
        />
        <p>
          <button type="submit">Konfirmasi keputusan</button>
        </p>
      </form>
      <form method="post" action={action}>
        <input type="hidden" name="csrf" value={data.csrf} />
        <input type="hidden" name="resend" value="1" />
        <button type="submit" class="secondary">
          Kirim ulang kode
        </button>
      </form>
    </section>
  );
}

export function decisionPage(
  office: string,
  data: DecisionPageData,
  errors: readonly FieldError[] = [],
  form: DecisionForm = {},
  status = 200,
): RenderedPage {
  const challengeErrors = errors.filter((e) => e.field === 'code');
  const inChallenge = data.challenge !== undefined;
  return {
    status,
    html: renderPage(
      <Page title="Keputusan tahap permohonan" office={office}>
        {inChallenge ? null : <Errors errors={errors} />}
        {inChallenge ? <ChallengeView data={data} errors={challengeErrors} /> : null}
        <Summary data={data} />
        {inChallenge ? null : (
          <section>
            <h2>Keputusan Anda</h2>
            <DecisionFormView data={data} errors={errors} form={form} />
          </section>
        )}
      </Page>,
    ),
  };
}

export function decidedPage(
  office: string,
  input: { trackingCode: string; stageName: string; outcomeLabel: string; at: string },
): RenderedPage {
  return {
    status: 200,
    html: renderPage(
      <Page title="Keputusan tercatat" office={office}>
        <section class="notice">
          <p>Terima kasih. Keputusan Anda telah tercatat dan permohonan diteruskan.</p>
          <dl>
            <dt>Nomor lacak</dt>
            <dd>{input.trackingCode}</dd>
            <dt>Tahap</dt>
            <dd>{input.stageName}</dd>
            <dt>Keputusan</dt>
            <dd>{input.outcomeLabel}</dd>
            <dt>Waktu</dt>
            <dd>{input.at}</dd>
          </dl>
          <p class="muted">Anda dapat menutup halaman ini.</p>
        </section>
      </Page>,
    ),
  };
}

const PROBLEM_TEXT: Record<LinkProblem['verdict']['kind'], { title: string; body: string }> = {
  unknown: {
    title: 'Tautan tidak dikenal',
    body: 'Tautan ini tidak dikenal. Pastikan tautan disalin utuh dari e-mail, atau buka tautan pada e-mail terbaru.',
  },
  expired: {
    title: 'Tautan kedaluwarsa',
    body: 'Masa berlaku tautan ini telah habis. Gunakan tautan pada e-mail pengingat terbaru, atau hubungi administrator.',
  },
  revoked: {
    title: 'Tautan dicabut',
    body: 'Tahap ini telah dialihkan kepada pejabat lain (pelaksana tugas), sehingga tautan ini tidak berlaku lagi.',
  },
  decided: { title: 'Sudah diputuskan', body: 'Tahap ini sudah diputuskan.' },
  'moved-on': {
    title: 'Tahap sudah selesai',
    body: 'Permohonan tidak lagi menunggu keputusan pada tahap ini (sudah berpindah tahap, ditarik atau selesai).',
  },
};

export function problemPage(office: string, problem: LinkProblem): RenderedPage {
  const text = PROBLEM_TEXT[problem.verdict.kind];
  return {
    status: VERDICT_STATUS[problem.verdict.kind],
    html: renderPage(
      <Page title={text.title} office={office}>
        <section class="notice">
          {problem.decidedBy === undefined ? (
            <p>{text.body}</p>
          ) : (
            <p>
              Tahap ini sudah diputuskan oleh {problem.decidedBy.name} pada {problem.decidedBy.at}. Tidak ada
              yang perlu Anda lakukan.
            </p>
          )}
          {problem.trackingCode === undefined ? null : (
            <p class="muted">Nomor lacak: {problem.trackingCode}</p>
          )}
        </section>
      </Page>,
    ),
  };
}

export function messagePage(office: string, status: number, title: string, body: string): RenderedPage {
  return {
    status,
    html: renderPage(
      <Page title={title} office={office}>
        <section class="notice">
          <p>{body}</p>
        </section>
      </Page>,
    ),
  };
}

/**
 * Officials' decision links: GET and HEAD show a page and change nothing; POST is the one way an
 * official's choice becomes a decision; a document link records the view and redirects to a
 * short-lived download. HTML in Bahasa Indonesia, strict CSP, nothing personal in the logs (the
 * token is in the path: only the route template is ever logged).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { correlationIdOf } from '#api/endpoint.ts';
import { FormBodyError, parseForm } from '#api/form-body.ts';
import { PAGE_HEADERS } from '#api/pages/layout.tsx';
import {
  decidedPage,
  decisionPage,
  messagePage,
  problemPage,
  type RenderedPage,
} from '#api/pages/official-pages.tsx';
import type { Visitor } from '#core/domain/application.ts';
import {
  type DecisionForm,
  decideByLink,
  MAX_REPORT_BYTES,
  openLink,
  viewDocument,
} from '#core/use-cases/official-decisions.ts';
import { container } from '#runtime/container.ts';
import { log } from '#runtime/log.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const office = (): string => container().regency.office.name;

const html = (page: RenderedPage, method: string): Result => ({
  statusCode: page.status,
  headers: { ...PAGE_HEADERS },
  // HEAD answers as GET does, without the body.
  body: method === 'HEAD' ? '' : page.html,
});

function visitorOf(event: Event): Visitor {
  const ua = event.headers?.['user-agent'] ?? event.requestContext?.http?.userAgent;
  return {
    ...(event.requestContext?.http?.sourceIp ? { ip: event.requestContext.http.sourceIp } : {}),
    ...(ua ? { userAgent: ua.slice(0, 300) } : {}),
  };
}

/**
 * A POST from another site is refused before anything is read: browsers send Origin (and
 * Sec-Fetch-Site) with every form POST, and a cross-site one cannot be the official's own click.
 */
function crossSite(event: Event): boolean {
  const fetchSite = event.headers?.['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return true;
  const origin = event.headers?.origin;
  // A browser that hides the origin (`Origin: null`, e.g. under a strict referrer setting) still
  // says the POST came from this very origin.
  if (origin === 'null' && fetchSite === 'same-origin') return false;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== (event.headers?.host ?? event.requestContext?.domainName);
  } catch {
    return true;
  }
}

const first = (fields: Record<string, string[]>, name: string): string | undefined => fields[name]?.[0];

async function formOf(event: Event): Promise<DecisionForm> {
  const body = await parseForm(event, MAX_REPORT_BYTES);
  const fields = body.fields;
  const report = body.files.report;
  const form: DecisionForm = {};
  const csrf = first(fields, 'csrf');
  if (csrf !== undefined) form.csrf = csrf;
  const outcome = first(fields, 'outcome');
  if (outcome !== undefined) form.outcome = outcome;
  const note = first(fields, 'note');
  if (note !== undefined) form.note = note;
  if (fields.deficient !== undefined) form.deficient = fields.deficient;
  const code = first(fields, 'code');
  if (code !== undefined) form.code = code;
  if (first(fields, 'resend') === '1') form.resendCode = true;
  if (report !== undefined && report.bytes.length > 0)
    // A truncated file is over the limit: one byte past it makes the use case say so.
    form.report = {
      bytes: report.truncated ? new Uint8Array(MAX_REPORT_BYTES + 1) : report.bytes,
      fileName: report.fileName,
    };
  return form;
}

async function serve(event: Event): Promise<Result> {
  const ports = container();
  const method = event.requestContext.http.method;
  const token = event.pathParameters?.token ?? '';
  const now = ports.now();
  if (event.routeKey === 'GET /o/{token}/documents/{document}') {
    const result = await viewDocument(
      ports,
      token,
      event.pathParameters?.document ?? '',
      visitorOf(event),
      now,
    );
    if (result.kind === 'url')
      return { statusCode: 303, headers: { ...PAGE_HEADERS, location: result.url }, body: '' };
    if (result.kind === 'problem') return html(problemPage(office(), result.problem), method);
    return html(
      messagePage(office(), 404, 'Dokumen tidak ditemukan', 'Dokumen ini tidak ada pada permohonan.'),
      method,
    );
  }
  if (method === 'GET' || method === 'HEAD') {
    const page = await openLink(ports, token, now);
    return html(
      page.kind === 'page' ? decisionPage(office(), page.data) : problemPage(office(), page.problem),
      method,
    );
  }
  if (crossSite(event))
    return html(
      messagePage(
        office(),
        403,
        'Permintaan ditolak',
        'Keputusan hanya dapat dikirim dari halaman keputusan itu sendiri.',
      ),
      method,
    );
  let form: DecisionForm;
  try {
    form = await formOf(event);
  } catch (error) {
    if (error instanceof FormBodyError)
      return html(messagePage(office(), error.status, 'Formulir tidak valid', error.message), method);
    throw error;
  }
  const result = await decideByLink(ports, token, form, visitorOf(event), now);
  switch (result.kind) {
    case 'decided':
      return html(
        decidedPage(office(), {
          trackingCode: result.trackingCode,
          stageName: result.stageName,
          outcomeLabel: result.outcomeLabel,
          at: ports.calendar.formatLocal(new Date(result.decision.decidedAt)),
        }),
        method,
      );
    case 'code-sent':
      return html(decisionPage(office(), result.data, [], {}, 202), method);
    case 'invalid':
      return html(decisionPage(office(), result.data, result.errors, result.form, 422), method);
    case 'forbidden':
      return html(
        messagePage(
          office(),
          403,
          'Formulir tidak sah',
          'Formulir ini tidak berasal dari tautan Anda. Buka kembali tautan dari e-mail, lalu coba lagi.',
        ),
        method,
      );
    case 'problem':
      return html(problemPage(office(), result.problem), method);
  }
}

/** Failures become a plain page with a correlation id; the log gets no path (it holds the token). */
function pageErrors(): MiddlewareObj<Event, Result> {
  return {
    onError: (request) => {
      const correlationId = correlationIdOf(request.event, request.context);
      log('error', 'official page failed', {
        correlationId,
        route: request.event.routeKey,
        error: request.error?.name,
        message: request.error?.message,
      });
      request.response = html(
        messagePage(
          container().regency.office.name,
          500,
          'Terjadi gangguan',
          `Keputusan Anda belum tentu tercatat. Buka kembali tautan dari e-mail untuk melihat keadaannya. Kode rujukan: ${correlationId}`,
        ),
        request.event.requestContext?.http?.method ?? 'GET',
      );
    },
  };
}

export const handler = middy<Event, Result>().use(pageErrors()).handler(serve);

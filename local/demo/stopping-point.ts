/**
 * Where the demo stops, decided from what the product has rather than written down once: the route
 * table (functions/api/routes.ts) says whether any route serves officials through a signed link (auth
 * 'official-link'), and the officials' notices say whether they carry links. Today neither exists, so
 * the demo stops where an official would click. When a later issue adds them, the demo says what it
 * found and that it does not use it yet, instead of silently stopping at the same place.
 *
 * It never makes an official's decision through a back door (the table, the Step Functions API): a
 * demo that did so would show a product that does not exist.
 */
import type { RouteDefinition } from '#api/routes.ts';

export interface NoticeSeen {
  permitCode: string;
  trackingCode: string;
  stageName: string;
  roleLabel: string | undefined;
  to: string[];
  links: string[];
}

export type StoppingKind =
  /** No official-link route and no link in the notices: the decision links and pages do not exist. */
  | 'decision-pages-missing'
  /** Official-link routes exist, but the notices do not link to them. */
  | 'decision-routes-unlinked'
  /** The notices carry links; this demo does not follow them yet. */
  | 'decision-links-not-followed';

export interface StoppingPoint {
  kind: StoppingKind;
  /** `METHOD /path` of every route with auth 'official-link'. */
  officialRoutes: string[];
  /** Every link found in the officials' notices. */
  noticeLinks: string[];
  /** What a person reads at the end of the demo. */
  lines: string[];
}

/** What the issue's demo covers after the first official decision, none of which is reached. */
export const NOT_REACHED = [
  "each official's decision, by following the link in their mail and confirming on the decision page",
  'a return for completion, the replaced document and the resubmission',
  'a rejection and its letter',
  "the satisfaction survey, the issued permit's file and its verification URL",
] as const;

export function stoppingPoint(
  routes: readonly RouteDefinition[],
  notices: readonly NoticeSeen[],
): StoppingPoint {
  const officialRoutes = routes.filter((r) => r.auth === 'official-link').map((r) => `${r.method} ${r.path}`);
  const noticeLinks = [...new Set(notices.flatMap((n) => n.links))];
  const waiting = notices.map(
    (n) =>
      `  ${n.permitCode} ${n.trackingCode}: "${n.stageName}"${n.roleLabel ? ` (${n.roleLabel})` : ''}, notice sent to ${n.to.join(', ')}`,
  );
  const kind: StoppingKind =
    noticeLinks.length > 0
      ? 'decision-links-not-followed'
      : officialRoutes.length > 0
        ? 'decision-routes-unlinked'
        : 'decision-pages-missing';

  const why: Record<StoppingKind, string[]> = {
    'decision-pages-missing': [
      'Why: the next step is an official deciding, and officials decide by clicking the links in their',
      "mail. The notices above contain no link, and functions/api/routes.ts has no route with auth 'official-link':",
      "the officials' decision links and pages are not built yet (a later issue).",
    ],
    'decision-routes-unlinked': [
      `Found: functions/api/routes.ts now has official-link route(s): ${officialRoutes.join(', ')}.`,
      'But the notices above contain no link to them, so an official cannot reach them from the mail,',
      'and this demo does not use them yet (local/demo/ follows links found in mail; extend it).',
    ],
    'decision-links-not-followed': [
      `Found: the notices contain link(s): ${noticeLinks.join(', ')}`,
      ...(officialRoutes.length > 0 ? [`and official-link route(s): ${officialRoutes.join(', ')}.`] : []),
      'This demo does not follow them yet: extend local/demo/ to open each link and confirm on its page.',
    ],
  };
  return {
    kind,
    officialRoutes,
    noticeLinks,
    lines: [
      'Where the demo stops',
      'Each application waits for an official at its first stage:',
      ...waiting,
      ...why[kind],
      'No decision is made behind the API (not in the table, not through Step Functions).',
      'Not reached, so not shown:',
      ...NOT_REACHED.map((item) => `  - ${item}`),
    ],
  };
}

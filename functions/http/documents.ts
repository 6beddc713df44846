/** The document checklist: a presigned upload per requirement, then the server-side check of what was uploaded. */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import { localTime } from '#core/domain/local-time.ts';
import { confirmUpload, requestUpload } from '#core/use-cases/documents.ts';
import { loadApplication } from '#core/use-cases/lookups.ts';
import { container } from '#runtime/container.ts';

const upload = endpoint('POST /applications/{id}/documents/{requirementId}', async ({ params, body }) => {
  const ports = container();
  const app = await loadApplication(ports, params.id);
  const granted = await requestUpload(ports, app, params.requirementId, body);
  return json(201, {
    ...granted,
    confirmPath: `/applications/${app.id}/documents/${granted.requirementId}/${granted.uploadId}/confirm`,
  });
});

const confirm = endpoint(
  'POST /applications/{id}/documents/{requirementId}/{uploadId}/confirm',
  async ({ params }) => {
    const ports = container();
    const app = await loadApplication(ports, params.id);
    const version = await confirmUpload(ports, app, params.requirementId, params.uploadId);
    return json(200, {
      requirementId: version.requirementId,
      uploadId: version.uploadId,
      mediaType: version.mediaType,
      sizeBytes: version.sizeBytes,
      acceptedAt: localTime(version.acceptedAt, ports.regency.timeZone, ports.calendar),
    });
  },
);

export const handler = dispatch({
  'POST /applications/{id}/documents/{requirementId}': upload,
  'POST /applications/{id}/documents/{requirementId}/{uploadId}/confirm': confirm,
});

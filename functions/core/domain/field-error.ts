/**
 * A problem with one field of a request, as the API reports it (RFC 9457 `errors` member): the
 * field's path in the body (`applicant.nik`, `answers.secondPermit`), a stable machine code and an
 * Indonesian message for the applicant. Domain checks return these; the HTTP layer only serialises them.
 */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

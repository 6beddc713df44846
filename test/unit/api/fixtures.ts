/** A valid application request, shared by the unit and integration tests of the applicant API. */
import { randomInt } from 'node:crypto';

/** A structurally valid NIK for a birth date and sex (Kota Bengkulu district 01). */
export function nikFor(birthDate: string, sex: 'male' | 'female', serial = randomInt(1, 10_000)): string {
  const [y, m, d] = birthDate.split('-');
  const day = Number(d) + (sex === 'female' ? 40 : 0);
  return `177101${String(day).padStart(2, '0')}${m}${(y ?? '').slice(2)}${String(serial).padStart(4, '0')}`;
}

export function applicantFixture(overrides: Record<string, unknown> = {}) {
  return {
    fullName: 'Siti Rahmawati',
    nik: nikFor('1990-05-15', 'female'),
    birthPlace: 'Bengkulu',
    birthDate: '1990-05-15',
    sex: 'female',
    address: 'Jl. Sudirman No. 12, Kel. Pasar Baru, Kota Bengkulu',
    email: 'siti@example.test',
    mobileNumber: '0812-3456-7890',
    profession: 'occupational-therapist',
    str: { number: 'STR-OT-1771-2020-000123', validUntil: 'lifetime' },
    practicePlace: {
      facilityName: 'RSUD Dr. M. Yunus',
      address: 'Jl. Bhayangkara, Kota Bengkulu',
      type: 'hospital',
    },
    ...overrides,
  };
}

export function applicationFixture(overrides: Record<string, unknown> = {}) {
  return {
    permitCode: 'SIKOT',
    applicant: applicantFixture(),
    answers: { secondPermit: false },
    personalDataConsent: true,
    ...overrides,
  };
}

/**
 * The public catalogue (GET /permits): what an applicant needs before applying, straight from the
 * regency's configuration. Officials' names, e-mail addresses and NIPs are not part of it; roles are
 * shown by their SOP labels.
 */
import { isAutomaticStage, type Regency } from '#config/regency-schema.ts';

export function permitsView(regency: Regency) {
  const roleOf = (id: string | undefined) => {
    const role = regency.roles.find((r) => r.id === id);
    return role === undefined ? undefined : { id: role.id, label: role.label };
  };
  return {
    regency: { id: regency.id, name: regency.name, example: regency.example },
    office: {
      name: regency.office.name,
      address: regency.office.address,
      ...(regency.office.phone === undefined ? {} : { phone: regency.office.phone }),
      ...(regency.office.website === undefined ? {} : { website: regency.office.website }),
      timeZone: regency.timeZone,
      officeHours: regency.officeHours,
      complaintChannels: regency.complaintChannels,
    },
    permits: regency.permits.map((p) => ({
      code: p.code,
      name: p.name,
      profession: p.profession,
      product: p.product,
      ...(p.sopReference === undefined ? {} : { sopReference: p.sopReference }),
      legalBasis: p.legalBasis,
      fee: p.fee,
      questions: p.questions,
      requirements: p.requirements.map((r) => ({
        id: r.id,
        label: r.label,
        mediaTypes: r.mediaTypes,
        maxSizeMb: r.maxSizeMb,
        ...(r.when === undefined
          ? {}
          : {
              requiredWhen: {
                answer: r.when.answer,
                question: p.questions.find((q) => q.id === r.when?.answer)?.label ?? r.when.answer,
              },
            }),
      })),
      stages: p.stages.map((s) => {
        const role = roleOf(s.role);
        return {
          id: s.id,
          name: s.name,
          kind: s.kind,
          automatic: isAutomaticStage(s),
          ...(role === undefined ? {} : { role }),
          ...(s.duration === undefined ? {} : { duration: s.duration }),
        };
      }),
      limit: p.limit,
      surveyBeforeDownload: p.surveyBeforeDownload,
      validity: p.validity,
      maxPlaces: p.maxPlaces,
      signature: p.signature,
    })),
  };
}

export type PermitsView = ReturnType<typeof permitsView>;

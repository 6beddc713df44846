/** The permit register and the places registers (items in keys.ts): reads; writes go through DynamoChanges. */
import type { DocumentHashRecord, PermitRecord } from '#core/domain/permit/permit-record.ts';
import type { PlaceRegister } from '#core/domain/places.ts';
import type { PermitRepository } from '#core/ports.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

export class DynamoPermits implements PermitRepository {
  constructor(
    private readonly table: Table,
    private readonly regencyId: string,
  ) {}

  get(id: string): Promise<PermitRecord | undefined> {
    return this.table.get<PermitRecord>(keys.permit(id));
  }

  async byNumber(number: string): Promise<PermitRecord | undefined> {
    const reserved = await this.table.get<{ permitId: string }>(keys.permitNumber(this.regencyId, number));
    return reserved === undefined ? undefined : this.get(reserved.permitId);
  }

  byDocumentHash(sha256: string): Promise<DocumentHashRecord | undefined> {
    return this.table.get<DocumentHashRecord>(keys.documentHash(sha256));
  }

  places(profession: string, holderKey: string): Promise<PlaceRegister | undefined> {
    return this.table.get<PlaceRegister>(keys.places(profession, holderKey));
  }
}

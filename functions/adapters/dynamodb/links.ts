/** Officials' links (items `LINK#<hash>` in keys.ts): stored by the hash of their token only. */
import type { OfficialLink, SigningChallenge } from '#core/domain/official-links.ts';
import type { OfficialLinkRepository } from '#core/ports.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

export class DynamoOfficialLinks implements OfficialLinkRepository {
  constructor(private readonly table: Table) {}

  async create(link: OfficialLink): Promise<void> {
    // 256 random bits never collide; the condition only guards against a bug writing one twice.
    const written = await this.table.put(
      { ...keys.link(link.hash), ...link },
      { expression: 'attribute_not_exists(pk)' },
    );
    if (!written) throw new Error('an official link with this hash exists already');
  }

  get(hash: string): Promise<OfficialLink | undefined> {
    return this.table.get<OfficialLink>(keys.link(hash));
  }

  async setSigning(hash: string, signing: SigningChallenge): Promise<void> {
    const written = await this.table.update(keys.link(hash), {
      UpdateExpression: 'SET signing = :signing',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':signing': signing },
      ReturnValues: 'NONE',
    });
    if (written === undefined) throw new Error('no such official link');
  }

  async countAttempt(hash: string, maxAttempts: number): Promise<boolean> {
    const written = await this.table.update(keys.link(hash), {
      UpdateExpression: 'SET signing.attempts = signing.attempts + :one',
      ConditionExpression: 'attribute_exists(signing) AND signing.attempts < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': maxAttempts },
      ReturnValues: 'NONE',
    });
    return written !== undefined;
  }
}

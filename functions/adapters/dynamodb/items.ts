/** Items and transaction writes that more than one repository puts in its transactions. */
import type { Application } from '#core/domain/application.ts';
import type { OutboxMail, SequenceNumber } from '#core/ports.ts';
import { indexKeys, keys } from './keys.ts';
import type { TransactItem } from './table.ts';

/** The application's item with its index keys: the one place that writes it. */
export const applicationItem = (app: Application): Record<string, unknown> => ({
  ...keys.application(app.id),
  ...indexKeys.application(app.trackingCode),
  ...app,
});

export const outboxItem = (mail: OutboxMail, at: string): Record<string, unknown> => ({
  ...keys.outbox(mail.id),
  ...indexKeys.outboxPending(at),
  ...mail,
  status: 'pending',
  createdAt: at,
});

/** The transaction write that records a mail in the outbox, once (a second write of one id fails). */
export const outboxPut = (mail: OutboxMail, at: string): TransactItem => ({
  Put: { Item: outboxItem(mail, at), ConditionExpression: 'attribute_not_exists(pk)' },
});

/** The transaction write that takes number `current + 1` of a sequence, only if `current` is still the last. */
export function takeNumberUpdate({ sequence, current }: SequenceNumber): TransactItem {
  return {
    Update: {
      Key: keys.counter(sequence),
      UpdateExpression: 'SET #value = :next',
      ConditionExpression: current === 0 ? 'attribute_not_exists(pk)' : '#value = :current',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':next': current + 1, ...(current === 0 ? {} : { ':current': current }) },
    },
  };
}

import type { EngineCore } from '../engine/core.ts';
import { type Execution, markDirty, type Run } from '../engine/model.ts';
import type { JsonObject } from '../interpreter/paths/json-path.ts';
import {
  DATA_EVENT_TYPES,
  type DataEvent,
  detailsKey,
  flatten,
  type GenericEvent,
  type InvokeEvent,
  type InvokeFields,
  type StateEvent,
  type StoredEvent,
  sharedDocument,
} from './events.ts';

/**
 * Appending events to an execution's history: each event gets the next id and points back at
 * the last event of its run (previousEventId); it also joins the execution's next journal record.
 */

export function event(
  core: EngineCore,
  exec: Execution,
  run: Run | undefined,
  type: string,
  details?: JsonObject,
  previous?: number,
): number {
  const id = exec.events.length + 1;
  const previousEventId = previous ?? (run ? run.prev : id - 1);
  // Kept as an object and rendered when read: its strings (the execution input, the role,
  // the parameters) are shared or stored once, not escaped into a second copy.
  const key = detailsKey(type);
  if (details !== undefined && (Object.keys(details).length !== 1 || !(key in details))) {
    throw new Error(`event ${type} must carry exactly ${key}`);
  }
  const inner = details?.[key] as JsonObject | undefined;
  const ts = core.clock.now();
  const data =
    inner && DATA_EVENT_TYPES.has(type) ? ((inner.input ?? inner.output) as string | undefined) : undefined;
  // Events that carry a JSON document keep it as text, written raw to the journal.
  const stored: GenericEvent | DataEvent =
    data !== undefined && inner
      ? {
          id,
          prev: previousEventId,
          ts,
          type,
          data: sharedDocument(exec.events[previousEventId - 1], data),
          resource: inner.resource as string | undefined,
          timeout: inner.timeoutInSeconds as number | undefined,
        }
      : { id, prev: previousEventId, ts, type, details: inner };
  append(exec, run, stored);
  return id;
}

/**
 * A StateEntered/StateExited event, kept compact: the state's data is the JSON text the state
 * produced (shared by the Exited event and the next Entered one), escaped into the AWS event
 * only when the history is read.
 */
export function stateEvent(
  core: EngineCore,
  exec: Execution,
  run: Run,
  type: string,
  data: string,
  exited: boolean,
): void {
  const stored: StateEvent = {
    id: exec.events.length + 1,
    prev: run.prev,
    ts: core.clock.now(),
    type,
    name: run.state,
    data: sharedDocument(exec.events[run.prev - 1], data),
    exited,
  };
  append(exec, run, stored);
}

/**
 * The TaskSubmitted / TaskSucceeded event of a lambda:invoke task. Its output is the whole
 * Invoke response (HTTP metadata included), rebuilt from these few fields when read.
 */
export function invokeEvent(core: EngineCore, exec: Execution, run: Run, fields: InvokeFields): void {
  const stored: InvokeEvent = {
    id: exec.events.length + 1,
    prev: run.prev,
    ts: core.clock.now(),
    ...fields,
    payload: flatten(fields.payload),
    requestId: flatten(fields.requestId),
  };
  append(exec, run, stored);
}

/** Adds an event to the history and to the execution's next journal record. */
function append(exec: Execution, run: Run | undefined, stored: StoredEvent): void {
  exec.events.push(stored);
  exec.newEvents.push(stored);
  if (run) {
    run.prev = stored.id;
    markDirty(exec, run);
  }
}

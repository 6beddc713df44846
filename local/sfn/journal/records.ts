import { type Execution, INPUT_EVENT, PERSISTED_INPUT, type Run, type RunMemo } from '../engine/model.ts';
import {
  detailsKey,
  documentOf,
  type GenericEvent,
  type InvokeEvent,
  isDataEvent,
  isGenericEvent,
  isStateEvent,
  type StoredEvent,
  sharedDocument,
} from '../history/events.ts';
import type { Json, JsonObject } from '../interpreter/paths/json-path.ts';
import type { JournalRecord } from './format.ts';

/**
 * The engine's records in the journal: `def` (a definition), `sm` (a state machine), `smdel`,
 * `ex` (an execution as started, or whole in a snapshot) and `st` (what changed in an execution),
 * with history events in their compact journal form.
 */

/**
 * A run as its journal entry: its fields, with the input written only when the journal does not
 * already have it: "ki":1 (keep the input of the run's previous entry) or "ie":N (the input is
 * the document of history event N), else "input".
 */
function encodeRun(run: Run & RunMemo): string {
  let text = `{"id":${JSON.stringify(run.id)}`;
  if (run.parent !== undefined) text += `,"parent":${JSON.stringify(run.parent)}`;
  if (run.slot !== undefined) text += `,"slot":${run.slot}`;
  text += `,"scope":${run.scope},"state":${JSON.stringify(run.state)},"entered":${run.entered},"prev":${run.prev}`;
  if (run.retries !== undefined) text += `,"retries":${JSON.stringify(run.retries)}`;
  if (run.retryCount !== undefined) text += `,"retryCount":${run.retryCount}`;
  text += `,"step":${JSON.stringify(run.step)}`;
  if (run[PERSISTED_INPUT] === run.input) return `${text},"ki":1}`;
  run[PERSISTED_INPUT] = run.input;
  if (run[INPUT_EVENT] !== undefined) return `${text},"ie":${run[INPUT_EVENT]}}`;
  return `${text},"input":${JSON.stringify(run.input) ?? 'null'}}`;
}

/**
 * What changed in `exec` since its last record, as one journal line: `{"t":"st", "s": seq,
 * "n": [nextRun, nextTask], "r": {runId: run | null}, "x": status, "e": [events]}`, built as
 * text here: it is the hottest path of the service, and JSON.stringify of a spread copy of each
 * run cost more than the rest of the commit.
 */
export function changeRecord(exec: Execution): string {
  let line = `{"t":"st","s":${exec.seq},"n":[${exec.nextRun},${exec.nextTask}]`;
  if (exec.dirtyRuns) {
    let runs = '';
    for (const [id, run] of exec.dirtyRuns) {
      runs += `${runs === '' ? '' : ','}${JSON.stringify(id)}:${run === null ? 'null' : encodeRun(run as Run & RunMemo)}`;
    }
    line += `,"r":{${runs}}`;
  }
  if (exec.statusChanged) {
    line += `,"x":${JSON.stringify({
      status: exec.status,
      stop: exec.stop,
      output: exec.output,
      error: exec.error,
      cause: exec.cause,
    })}`;
  }
  if (exec.newEvents.length > 0) {
    line += `,"e":[${exec.newEvents.map((event) => journalForm(event, exec.events)).join(',')}]`;
  }
  return `${line}}\n`;
}

/** The fields of an `ex` record that describe the execution as started. */
export function executionMeta(exec: Execution): JournalRecord {
  const meta: JournalRecord = {
    seq: exec.seq,
    arn: exec.arn,
    name: exec.name,
    sm: exec.smArn,
    smName: exec.smName,
    def: exec.def,
    role: exec.role,
    input: exec.input,
    start: exec.start,
  };
  if (exec.timeoutAt !== undefined) meta.timeoutAt = exec.timeoutAt;
  return meta;
}

/**
 * How an event is written in the journal: AWS events as their JSON, state events as
 * `[id, prev, ts, type, name, <data as raw JSON>, exited]` (the data is not escaped into a string).
 * When an event's document is the same text as that of the event it follows (`prev`), the
 * document is written as null followed by a trailing 1: "the document of event prev".
 */
export function journalForm(event: StoredEvent, history: readonly StoredEvent[]): string {
  if (isGenericEvent(event)) {
    return `["g",${event.id},${event.prev},${event.ts},"${event.type}",${event.details === undefined ? 'null' : JSON.stringify(event.details)}]`;
  }
  if (isDataEvent(event)) {
    const head = `["d",${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.resource ?? null)},${event.timeout ?? null}`;
    return documentOf(history[event.prev - 1]) === event.data ? `${head},null,1]` : `${head},${event.data}]`;
  }
  if (!isStateEvent(event)) {
    return `["i",${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.resource)},"${event.requestId}",${JSON.stringify(event.version)},${event.status},${event.payload}]`;
  }
  const head = `[${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.name)}`;
  const exited = event.exited ? 1 : 0;
  return documentOf(history[event.prev - 1]) === event.data
    ? `${head},null,${exited},1]`
    : `${head},${event.data},${exited}]`;
}

/**
 * Appends the history events of a journal record (either form, or older string entries) to
 * `history`, resolving documents written as references to the event before.
 */
export function appendStoredEvents(history: StoredEvent[], events: unknown): void {
  if (!Array.isArray(events)) return;
  const documentText = (prev: number, data: Json, reference: unknown): string =>
    reference === 1
      ? (documentOf(history[prev - 1]) ?? 'null')
      : sharedDocument(history[prev - 1], JSON.stringify(data));
  for (const item of events as unknown[]) history.push(storedEvent(item));

  function storedEvent(event: unknown): StoredEvent {
    if (typeof event === 'string') return genericEvent(JSON.parse(event) as JsonObject);
    if (Array.isArray(event) && event[0] === 'g') {
      const [, id, prev, ts, type, details] = event as [
        'g',
        number,
        number,
        number,
        string,
        JsonObject | null,
      ];
      return { id, prev, ts, type, details: details ?? undefined };
    }
    if (Array.isArray(event) && event[0] === 'd') {
      const [, id, prev, ts, type, resource, timeout, data, reference] = event as [
        'd',
        number,
        number,
        number,
        string,
        string | null,
        number | null,
        Json,
        1 | undefined,
      ];
      return {
        id,
        prev,
        ts,
        type,
        data: documentText(prev, data, reference),
        resource: resource ?? undefined,
        timeout: timeout ?? undefined,
      };
    }
    if (Array.isArray(event) && event[0] === 'i') {
      const [, id, prev, ts, type, resource, requestId, version, status, payload] = event as [
        'i',
        number,
        number,
        number,
        InvokeEvent['type'],
        string,
        string,
        string,
        number,
        Json,
      ];
      return { id, prev, ts, type, resource, requestId, version, status, payload: JSON.stringify(payload) };
    }
    if (Array.isArray(event)) {
      const [id, prev, ts, type, name, data, exited, reference] = event as [
        number,
        number,
        number,
        string,
        string,
        Json,
        number,
        1 | undefined,
      ];
      return { id, prev, ts, type, name, data: documentText(prev, data, reference), exited: exited === 1 };
    }
    return genericEvent(event as JsonObject);
  }
}

function genericEvent(object: JsonObject): GenericEvent {
  const type = object.type as string;
  return {
    id: object.id as number,
    prev: object.previousEventId as number,
    ts: Math.round((object.timestamp as number) * 1000),
    type,
    details: object[detailsKey(type)] as JsonObject | undefined,
  };
}

/** The JSON document a state or data event carries, parsed (a run's input at replay). */
export function eventDocument(event: StoredEvent | undefined): Json {
  if (!event || !('data' in event))
    throw new Error('journal: a run input points at an event without a document');
  return JSON.parse(event.data) as Json;
}

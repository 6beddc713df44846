import type { JsonObject } from '../interpreter/paths/json-path.ts';

/**
 * History events as kept in memory: compact forms whose JSON documents are shared text, rendered
 * in AWS's form only when the history is read (render.ts) and written to the journal in their
 * own compact form (../journal/records.ts).
 */

/** A StateEntered or StateExited event before it is rendered in AWS's form. */
export interface StateEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  name: string;
  /** The state's input or output as JSON text. */
  data: string;
  exited: boolean;
}

/** A lambda:invoke TaskSubmitted or TaskSucceeded event before it is rendered. */
export interface InvokeEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: 'TaskSubmitted' | 'TaskSucceeded';
  resource: string;
  /** The function's result as JSON text. */
  payload: string;
  requestId: string;
  version: string;
  status: number;
}

/** What an invoke event is made of, before it gets its place in the history. */
export type InvokeFields = Omit<InvokeEvent, 'id' | 'prev' | 'ts'>;

/** A history event: AWS JSON text, or a compact form rendered when read. */
export type StoredEvent = GenericEvent | StateEvent | InvokeEvent | DataEvent;

/**
 * An event whose details are one JSON document (a function's input or output, an execution's
 * output) plus fixed fields; the document is kept as text.
 */
export interface DataEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  data: string;
  resource: string | undefined;
  timeout: number | undefined;
}

export const DATA_EVENT_TYPES = new Set([
  'LambdaFunctionScheduled',
  'LambdaFunctionSucceeded',
  'ExecutionSucceeded',
  'TaskSucceeded',
]);

export function isDataEvent(event: StoredEvent): event is DataEvent {
  return 'data' in event && !('exited' in event);
}

/** Any other event: its AWS details object, rendered with JSON.stringify when read. */
export interface GenericEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  details: JsonObject | undefined;
}

const DETAILS_KEYS = new Map<string, string>();

/** AWS names an event's details after its type: TaskScheduled -> taskScheduledEventDetails. */
export function detailsKey(type: string): string {
  let key = DETAILS_KEYS.get(type);
  if (!key) {
    key = `${type[0]?.toLowerCase() ?? ''}${type.slice(1)}EventDetails`;
    DETAILS_KEYS.set(type, key);
  }
  return key;
}

export function isStateEvent(event: StoredEvent): event is StateEvent {
  return 'exited' in event;
}

export function isGenericEvent(event: StoredEvent): event is GenericEvent {
  return 'details' in event;
}

const STATE_EVENT_TYPES = new Map<string, [string, string]>();

/** `PassStateEntered` etc.: one shared string per type instead of a new one per event. */
export function stateEventType(stateType: string, exited: boolean): string {
  let names = STATE_EVENT_TYPES.get(stateType);
  if (!names) {
    names = [`${stateType}StateEntered`, `${stateType}StateExited`].map(flatten) as [string, string];
    STATE_EVENT_TYPES.set(stateType, names);
  }
  return names[exited ? 1 : 0];
}

/**
 * A flat string, for text that is kept for long. V8 builds JSON.stringify results and
 * concatenations as trees of pieces; a history entry held as such a tree costs several times its
 * length in headers. Reading a character makes V8 flatten the tree in place (one copy; the
 * pieces become garbage and the collector later drops the wrapper).
 */
export function flatten(text: string): string {
  if (text.length >= 16) text.charCodeAt(0);
  return text;
}

/** The document of an event that carries one (state input/output, function input/output). */
export function documentOf(event: StoredEvent | undefined): string | undefined {
  return event !== undefined && 'data' in event ? event.data : undefined;
}

/**
 * The text to keep for an event's document: the previous event's own string when it is the same
 * document (a state's output is the next state's input; a Choice passes its input through), so
 * the history holds it once and the journal writes a reference instead of a second copy.
 */
export function sharedDocument(previous: StoredEvent | undefined, data: string): string {
  const before = documentOf(previous);
  return before !== undefined && before === data ? before : flatten(data);
}

/** `{"truncated":false}`, shared by every event (history data is never truncated here). */
export const NOT_TRUNCATED: JsonObject = Object.freeze({ truncated: false }) as JsonObject;

import { seconds } from '../engine/clock.ts';
import { isJsonObject, type Json, type JsonObject } from '../interpreter/paths/json-path.ts';
import { invokeResult } from '../lambda/invoke.ts';
import {
  type DataEvent,
  detailsKey,
  type GenericEvent,
  type InvokeFields,
  isDataEvent,
  isGenericEvent,
  isStateEvent,
  NOT_TRUNCATED,
  type StoredEvent,
} from './events.ts';

/** History events in AWS's form (GetExecutionHistory), rendered from their compact forms. */

/** The AWS details of a data event, rebuilt from its fields. */
function dataDetails(event: DataEvent): JsonObject {
  switch (event.type) {
    case 'LambdaFunctionScheduled': {
      const details: JsonObject = {
        resource: event.resource ?? '',
        input: event.data,
        inputDetails: NOT_TRUNCATED,
      };
      if (event.timeout !== undefined) details.timeoutInSeconds = event.timeout;
      return details;
    }
    case 'TaskSucceeded':
      return {
        resourceType: 'lambda',
        resource: event.resource ?? '',
        output: event.data,
        outputDetails: NOT_TRUNCATED,
      };
    default:
      return { output: event.data, outputDetails: NOT_TRUNCATED };
  }
}

function genericObject(event: GenericEvent): JsonObject {
  const object: JsonObject = {
    id: event.id,
    previousEventId: event.prev,
    timestamp: seconds(event.ts),
    type: event.type,
  };
  if (event.details !== undefined) object[detailsKey(event.type)] = event.details;
  return object;
}

/** The Invoke response (Payload, StatusCode, ExecutedVersion, SdkHttpMetadata) of a lambda:invoke event. */
export function invokeResponse(event: InvokeFields, at: number): Json {
  const response = invokeResult(
    JSON.parse(event.payload) as Json,
    event.requestId,
    event.version,
    new Date(at),
  );
  if (event.status !== 200 && isJsonObject(response)) response.StatusCode = event.status;
  return response;
}

export function renderEvent(event: StoredEvent): string {
  if (isGenericEvent(event)) return JSON.stringify(genericObject(event));
  if (isDataEvent(event)) {
    return JSON.stringify({
      id: event.id,
      previousEventId: event.prev,
      timestamp: seconds(event.ts),
      type: event.type,
      [detailsKey(event.type)]: dataDetails(event),
    });
  }
  if (!isStateEvent(event)) {
    const key = event.type === 'TaskSubmitted' ? 'taskSubmittedEventDetails' : 'taskSucceededEventDetails';
    return JSON.stringify({
      id: event.id,
      previousEventId: event.prev,
      timestamp: seconds(event.ts),
      type: event.type,
      [key]: {
        resourceType: 'lambda',
        resource: event.resource,
        output: JSON.stringify(invokeResponse(event, event.ts)),
        outputDetails: NOT_TRUNCATED,
      },
    });
  }
  const head = `{"id":${event.id},"previousEventId":${event.prev},"timestamp":${seconds(event.ts)},"type":"${event.type}"`;
  const name = JSON.stringify(event.name);
  const data = JSON.stringify(event.data);
  return event.exited
    ? `${head},"stateExitedEventDetails":{"name":${name},"output":${data},"outputDetails":{"truncated":false}}}`
    : `${head},"stateEnteredEventDetails":{"name":${name},"input":${data},"inputDetails":{"truncated":false}}}`;
}

/** includeExecutionData=false: the events without their input and output data. */
export function stripExecutionData(event: StoredEvent): string {
  const parsed = JSON.parse(renderEvent(event)) as JsonObject;
  for (const value of Object.values(parsed)) {
    if (isJsonObject(value)) {
      delete value.input;
      delete value.output;
      delete value.parameters;
    }
  }
  return JSON.stringify(parsed);
}

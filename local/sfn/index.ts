/**
 * The local Step Functions service's public face: everything code outside local/sfn uses.
 * (Tests of internals import the modules they test directly.)
 */

export {
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
  startStepFunctionsService,
  stderrLogger,
} from './api/service.ts';
export {
  type AdjustableClock,
  type Clock,
  isAdjustableClock,
  ManualClock,
  SystemClock,
  type SystemClockOptions,
  type TimerHandle,
} from './engine/clock.ts';
export {
  Engine,
  type EngineOptions,
  EXECUTION_STATUSES,
  type ExecutionStatus,
  type Logger,
} from './engine/engine.ts';
export {
  adaptHandler,
  type FunctionRegistry,
  type LambdaHandler,
  type LambdaHandlerLike,
  type LambdaLikeContext,
  registryFromModules,
} from './lambda/registry.ts';

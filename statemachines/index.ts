export { workflowDiagram, workflowPage } from './diagram.ts';
export {
  type AslDefinition,
  type GeneratedStateMachine,
  generateDefinition,
  generateStateMachines,
  STATE,
  stateName,
  substitute,
  WORKFLOW_FUNCTIONS,
  type WorkflowPlaceholder,
} from './generate.ts';
export { validateDefinition } from './validate.ts';

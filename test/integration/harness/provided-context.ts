/** What the integration globalSetup hands to test files through vitest's `provide`/`inject`. */
import type { StackEndpoints } from '../../../local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared local stack (see global-setup.ts). */
    localStack: StackEndpoints;
  }
}

export type { StackEndpoints };

/** Use cases that write with a condition run again when a concurrent change won. */
import { ConcurrentUpdateError } from '../ports.ts';

/**
 * Runs `step` again when its transaction lost to a concurrent change: the next run reads the new state
 * (and so recognises a final state or its own earlier effect).
 */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= attempts) throw error;
      // Jitter, so that many contenders (numbering, say) do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * attempt)));
    }
  }
}

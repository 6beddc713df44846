import { registryFromModules } from '../local/sfn/index.ts';

/**
 * Functions for the memory benchmark's service process (bench/sfn-rss.ts): `notify` receives the
 * task token and keeps nothing, so every execution stays waiting on its callback.
 */
export default registryFromModules({
  notify: async () => ({ handler: async () => ({ delivered: true }) }),
});

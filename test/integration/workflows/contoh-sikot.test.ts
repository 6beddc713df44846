import { at } from './driver.ts';
import { permitScenarios } from './scenarios.ts';

// Seed 000 under the example regency, in WITA.
permitScenarios({ regencyId: 'contoh', permitCode: 'SIKOT', start: at('2026-07-20T08:00', '+08:00') });

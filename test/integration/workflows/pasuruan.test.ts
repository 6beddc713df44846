import { at } from './driver.ts';
import { permitScenarios } from './scenarios.ts';

// Kabupaten Pasuruan already deems late applications granted; its field verification is always done.
permitScenarios({ regencyId: 'kabupaten-pasuruan', permitCode: 'SIPOT', start: at('2026-08-03T09:00') });

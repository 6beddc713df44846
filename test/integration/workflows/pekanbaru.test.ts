import { at } from './driver.ts';
import { permitScenarios } from './scenarios.ts';

// Stages in office minutes: complete on Fri 8 May 2026 15:50 WIB, so the 35-minute check runs over
// the weekend (and Fri 15 May, cuti bersama, falls inside the 2-working-day limit's week).
permitScenarios({ regencyId: 'kota-pekanbaru', permitCode: 'SIKOT', start: at('2026-05-08T15:50') });

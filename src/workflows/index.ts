export { monthlyRefresh } from './monthlyRefresh.js';
export { planRefresh } from './planRefresh.js';
export { scheduledRefresh } from './scheduledRefresh.js';
export { deltaMaintenance } from './deltaMaintenance.js';
export { refreshBatch } from './refreshBatch.js';

export { monthlyRefresh } from './monthlyRefresh.js';
export { planRefresh } from './planRefresh.js';

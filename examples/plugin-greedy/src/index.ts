export { greedyFactory, greedyModule } from './greedy-module.js';

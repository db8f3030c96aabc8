export { DedupeSet } from './dedupe-set.js';
export { LocalSearch, localSearchFactory } from './local-search.js';
export { Nsga2, nsga2Factory } from './nsga2.js';
export {
  crowdingDistance,
  dominates,
  nonDominatedSort,
  objectiveVector,
  paretoIndices,
  parseObjectives,
} from './pareto.js';
export { RegularizedEvolution, regularizedEvolutionFactory } from './regularized-evolution.js';
export { strategyEvolutionModule } from './strategy-evolution-module.js';

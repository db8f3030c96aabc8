import { ContainerModule } from 'inversify';
import { inProcessRunnerFactory, TrialRunnerFactory } from './runner/trial-runner.js';
import { EventStoreFactory } from './store/event-store.js';
import { InMemoryEventStore } from './store/in-memory-event-store.js';
import { fixedStrategyFactory } from './strategy/fixed-strategy.js';
import { randomStrategyFactory } from './strategy/random-strategy.js';
import { StrategyFactory } from './strategy/strategy.js';

/** The core's own plugins: the random and fixed strategies, the in-memory store, the in-process runner. */
export const coreModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(randomStrategyFactory);
  bind(StrategyFactory).toConstantValue(fixedStrategyFactory);
  bind(TrialRunnerFactory).toConstantValue(inProcessRunnerFactory);
  bind(EventStoreFactory).toConstantValue({
    name: 'memory',
    description: 'keeps the log in memory; gone when the process ends',
    create: () => new InMemoryEventStore(),
  });
});

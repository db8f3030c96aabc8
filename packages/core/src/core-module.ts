import { ContainerModule } from 'inversify';
import { EventStoreFactory } from './store/event-store.js';
import { InMemoryEventStore } from './store/in-memory-event-store.js';
import { randomStrategyFactory } from './strategy/random-strategy.js';
import { StrategyFactory } from './strategy/strategy.js';

/** The core's own plugins: the random strategy and the in-memory store. */
export const coreModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(randomStrategyFactory);
  bind(EventStoreFactory).toConstantValue({
    name: 'memory',
    description: 'keeps the log in memory; gone when the process ends',
    create: () => new InMemoryEventStore(),
  });
});

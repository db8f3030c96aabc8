import { InMemoryEventStore } from '../src/index.js';
import { eventStoreContract } from '../src/testing/index.js';

eventStoreContract('memory', () => new InMemoryEventStore());

import { strategyContract } from '@archlab/core/testing';
import { greedyFactory } from './greedy-module.js';

strategyContract(greedyFactory);

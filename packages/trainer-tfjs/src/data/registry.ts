import { resolve } from 'node:path';
import { UnknownPluginError } from '@archlab/core';
import { cifar10 } from './cifar10.js';
import type { Dataset, DatasetLoadOptions, DatasetSource } from './dataset.js';
import { fashionMnist } from './fashion-mnist.js';

const sources = new Map<string, DatasetSource>([
  [fashionMnist.name, fashionMnist],
  [cifar10.name, cifar10],
]);
const loaded = new Map<string, Promise<Dataset>>();

/** Makes a data set loadable by name; returns a function that removes it again. */
export function registerDataset(source: DatasetSource): () => void {
  sources.set(source.name, source);
  return () => {
    if (sources.get(source.name) === source) sources.delete(source.name);
  };
}

/** Names of the data sets `loadDataset` knows, sorted. */
export function datasetNames(): string[] {
  return [...sources.keys()].sort();
}

/**
 * Loads a data set by name, once per process (per thread) and directory: later calls share the
 * decoded arrays, which callers must not modify. The key is the `dataDir` option as given, so set
 * a source's environment variable before the first load. An unknown name rejects with an
 * UnknownPluginError listing the known ones; a failed load is not cached, so fixing the files and
 * retrying works.
 */
export function loadDataset(name: string, options: DatasetLoadOptions = {}): Promise<Dataset> {
  const source = sources.get(name);
  if (!source) return Promise.reject(new UnknownPluginError('data set', name, datasetNames()));
  const key = `${name}\0${options.dataDir ? resolve(options.dataDir) : ''}`;
  let dataset = loaded.get(key);
  if (!dataset) {
    dataset = source.load(options);
    loaded.set(key, dataset);
    dataset.catch(() => loaded.delete(key));
  }
  return dataset;
}

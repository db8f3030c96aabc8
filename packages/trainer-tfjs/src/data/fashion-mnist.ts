import { existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '@archlab/core';
import type { Dataset, DatasetLoadOptions, DatasetSource, Split } from './dataset.js';
import { readIdx } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_ENV = 'ARCHLAB_FASHION_MNIST_DIR';

const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
const SIDE = 28;
/** Each command names the option its own way: `--screen zc:data-dir=DIR` is the third. */
const DATA_DIR = `set ${FASHION_MNIST_ENV} (or the data-dir option: --estimator-option data-dir=DIR, or --proxy-option data-dir=DIR for 'archlab proxy')`;
const HOW_TO_GET = `install it with 'apt-get install dataset-fashion-mnist', or ${DATA_DIR} to a directory holding the four IDX files`;
const HOW_TO_FIX = `reinstall it with 'apt-get install --reinstall dataset-fashion-mnist', or ${DATA_DIR} to a directory holding good copies`;

/** The directory the loader reads: the `dataDir` option, else the environment variable, else the Debian location. */
export function fashionMnistDir(options: DatasetLoadOptions = {}): string {
  return options.dataDir || process.env[FASHION_MNIST_ENV] || FASHION_MNIST_DEFAULT_DIR;
}

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/**
 * Whether the four files are where the loader looks, as the `Requirement` a test that needs the
 * real data declares (`describeWith` of `@archlab/core/testing`).
 */
export function fashionMnistRequirement(options: DatasetLoadOptions = {}): {
  what: string;
  present: boolean;
  howTo: string;
} {
  const dir = fashionMnistDir(options);
  return {
    what: `Fashion-MNIST in ${dir}`,
    present: FILES.every((name) => existsSync(join(dir, `${name}.gz`)) || existsSync(join(dir, name))),
    howTo: 'apt-get install dataset-fashion-mnist (the test command scripts/install-test-deps.sh does it)',
  };
}

/**
 * Fashion-MNIST (Xiao et al. 2017): 28x28 greyscale images of 10 kinds of clothing, 60,000 to
 * train on and 10,000 to test. Reads the four IDX files, gzipped (as distributed) or not.
 */
export const fashionMnist: DatasetSource = {
  name: 'fashion-mnist',
  description: 'Fashion-MNIST: 28x28x1 clothing images, 10 classes, 60,000 train / 10,000 test',
  async load(options) {
    const dir = fashionMnistDir(options);
    const [train, test] = await Promise.all([readSplit(dir, 'train'), readSplit(dir, 't10k')]);
    return {
      name: 'fashion-mnist',
      imageShape: [SIDE, SIDE, 1],
      numClasses: CLASS_NAMES.length,
      classNames: CLASS_NAMES,
      // Over the 60,000 training images.
      mean: [0.286],
      std: [0.353],
      train,
      test,
    } satisfies Dataset;
  },
};

async function readSplit(dir: string, prefix: 'train' | 't10k'): Promise<Split> {
  const [imagesFile, labelsFile] = await Promise.all([
    locate(dir, `${prefix}-images-idx3-ubyte`),
    locate(dir, `${prefix}-labels-idx1-ubyte`),
  ]);
  const [images, labels] = await Promise.all([readIdx(imagesFile, HOW_TO_FIX), readIdx(labelsFile, HOW_TO_FIX)]);
  const damaged = (file: string, what: string): never => {
    throw new DataError(`fashion-mnist: ${file} ${what}; ${HOW_TO_FIX}`);
  };
  if (images.dims.length !== 3 || images.dims[1] !== SIDE || images.dims[2] !== SIDE)
    damaged(imagesFile, `holds ${images.dims.join('x')} bytes, not N images of ${SIDE}x${SIDE}`);
  if (labels.dims.length !== 1) damaged(labelsFile, `holds ${labels.dims.join('x')} bytes, not N labels`);
  const count = images.dims[0]!;
  if (labels.dims[0] !== count)
    damaged(labelsFile, `has ${labels.dims[0]} labels but ${imagesFile} has ${count} images`);
  const bad = labels.data.findIndex((l) => l >= CLASS_NAMES.length);
  if (bad >= 0)
    damaged(labelsFile, `has label ${labels.data[bad]} at index ${bad}, outside 0..${CLASS_NAMES.length - 1}`);
  return { count, images: images.data, labels: labels.data };
}

/** The gzipped file, or the plain one where only that exists. */
async function locate(dir: string, name: string): Promise<string> {
  for (const file of [join(dir, `${name}.gz`), join(dir, name)]) {
    if (await exists(file)) return file;
  }
  if (!(await exists(dir))) throw new DataError(`fashion-mnist: directory ${dir} not found; ${HOW_TO_GET}`);
  throw new DataError(`fashion-mnist: ${join(dir, `${name}.gz`)} not found; ${HOW_TO_GET}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

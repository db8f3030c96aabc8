import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@archlab/core';
import type { Dataset, DatasetLoadOptions, DatasetSource, Split } from './dataset.js';

/** Where the loader looks when neither the `dataDir` option nor the environment variable says. */
export const CIFAR10_DEFAULT_DIR = join(homedir(), '.cache', 'archlab', 'cifar-10-batches-bin');
export const CIFAR10_ENV = 'ARCHLAB_CIFAR10_DIR';
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** In label order, as `batches.meta.txt` lists them. */
const CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;
const SIDE = 32;
const PLANE = SIDE * SIDE;
/** One label byte, then the red, green and blue planes, each 32×32 row-major. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';
const META_FILE = 'batches.meta.txt';

const DATA_DIR = `set ${CIFAR10_ENV} (or the data-dir option: --estimator-option data-dir=DIR, or --proxy-option data-dir=DIR for 'archlab proxy')`;
const HOW_TO_GET = `download ${CIFAR10_URL}, extract it (tar xzf) and ${DATA_DIR} to its cifar-10-batches-bin directory, or extract it into ${join(CIFAR10_DEFAULT_DIR, '..')}`;
const HOW_TO_FIX = `download and extract ${CIFAR10_URL} again, or ${DATA_DIR} to a directory holding good copies`;

/** The directory the loader reads: the `dataDir` option, else the environment variable, else {@link CIFAR10_DEFAULT_DIR}. */
export function cifar10Dir(options: DatasetLoadOptions = {}): string {
  return options.dataDir || process.env[CIFAR10_ENV] || CIFAR10_DEFAULT_DIR;
}

/**
 * CIFAR-10 (Krizhevsky 2009): 32x32 colour images of 10 classes, 50,000 to train on and 10,000 to
 * test, the data set NAS-Bench-201's `cifar10-valid` figures are measured on. Reads the binary
 * version's six batch files (`data_batch_1.bin`..`data_batch_5.bin`, `test_batch.bin`) and, where
 * present, the class names of `batches.meta.txt`.
 */
export const cifar10: DatasetSource = {
  name: 'cifar10',
  description: 'CIFAR-10: 32x32x3 colour images, 10 classes, 50,000 train / 10,000 test',
  async load(options) {
    const dir = cifar10Dir(options);
    const [train, test, classNames] = await Promise.all([
      readBatches(dir, TRAIN_FILES),
      readBatches(dir, [TEST_FILE]),
      readClassNames(dir),
    ]);
    return {
      name: 'cifar10',
      imageShape: [SIDE, SIDE, 3],
      numClasses: CLASS_NAMES.length,
      classNames,
      // Per channel over the 50,000 training images (the usual CIFAR-10 normalisation).
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.247, 0.2435, 0.2616],
      train,
      test,
    } satisfies Dataset;
  },
};

/**
 * Decodes CIFAR-10 binary records (a label byte, then the R, G and B planes) into a split with
 * NHWC images. `file` names the bytes in the DataError a bad size or label raises.
 */
export function decodeCifar10(bytes: Uint8Array, file: string): Split {
  const damaged = (what: string): never => {
    throw new DataError(`cifar10: ${file} ${what}; ${HOW_TO_FIX}`);
  };
  const count = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  const rest = bytes.length % CIFAR10_RECORD_BYTES;
  if (rest !== 0)
    damaged(
      `is truncated or not a CIFAR-10 batch: its ${bytes.length} bytes are not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (record ${count} has ${rest} bytes)`,
    );
  if (count === 0) damaged('holds no records');
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR10_RECORD_BYTES;
    const label = bytes[at]!;
    if (label >= CLASS_NAMES.length)
      damaged(`has label ${label} in record ${r} (byte ${at}), outside 0..${CLASS_NAMES.length - 1}`);
    labels[r] = label;
    const out = r * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = at + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + p * 3 + c] = bytes[plane + p]!;
    }
  }
  return { count, images, labels };
}

/** The inverse of {@link decodeCifar10}: NHWC images and their labels as binary records, for fixtures. */
export function encodeCifar10(split: Split): Uint8Array {
  const out = new Uint8Array(split.count * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < split.count; r++) {
    const at = r * CIFAR10_RECORD_BYTES;
    out[at] = split.labels[r]!;
    for (let p = 0; p < PLANE; p++) {
      for (let c = 0; c < 3; c++) out[at + 1 + c * PLANE + p] = split.images[(r * PLANE + p) * 3 + c]!;
    }
  }
  return out;
}

/** The batch files of one split, decoded and concatenated in the order given. */
async function readBatches(dir: string, files: readonly string[]): Promise<Split> {
  const parts = await Promise.all(
    files.map(async (name) => {
      const file = join(dir, name);
      return decodeCifar10(await readOrExplain(dir, file), file);
    }),
  );
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    images.set(part.images, at * 3 * PLANE);
    labels.set(part.labels, at);
    at += part.count;
  }
  return { count, images, labels };
}

/** `batches.meta.txt`'s ten names (blank lines ignored); the usual names where the file is absent. */
async function readClassNames(dir: string): Promise<readonly string[]> {
  const file = join(dir, META_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new DataError(`cifar10: cannot read ${file} (${err.message}); ${HOW_TO_FIX}`, { cause: err });
  });
  if (text === undefined) return CLASS_NAMES;
  const names = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length !== CLASS_NAMES.length)
    throw new DataError(
      `cifar10: ${file} lists ${names.length} class names, not ${CLASS_NAMES.length}; ${HOW_TO_FIX}`,
    );
  return names;
}

/** The file's bytes; a missing file or directory is a DataError that says how to get the data. */
async function readOrExplain(dir: string, file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new DataError(`cifar10: cannot read ${file} (${(err as Error).message}); ${HOW_TO_FIX}`, {
        cause: err,
      });
    if (!existsSync(dir)) throw new DataError(`cifar10: directory ${dir} not found; ${HOW_TO_GET}`, { cause: err });
    if (code === 'ENOTDIR') throw new DataError(`cifar10: ${dir} is not a directory; ${HOW_TO_GET}`, { cause: err });
    throw new DataError(`cifar10: ${file} not found; ${HOW_TO_GET}`, { cause: err });
  }
}

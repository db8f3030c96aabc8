import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from '@archlab/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_ENV, fashionMnist, fashionMnistDir } from './fashion-mnist.js';
import { encodeIdx, parseIdx } from './idx.js';

const root = mkdtempSync(join(tmpdir(), 'archlab-fmnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PX = 28 * 28;
const TRAIN = 12;
const TEST = 5;

/** `n` images whose every pixel is `(i * 7 + p) % 256`, labelled `i % 10`. */
function synthetic(n: number): { images: Uint8Array; labels: Uint8Array } {
  const images = Uint8Array.from({ length: n * PX }, (_, k) => (Math.floor(k / PX) * 7 + (k % PX)) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { images, labels };
}

type Files = Record<string, Uint8Array>;

/** The four gzipped IDX files of a small, valid Fashion-MNIST look-alike. */
function validFiles(): Files {
  const train = synthetic(TRAIN);
  const test = synthetic(TEST);
  return {
    'train-images-idx3-ubyte.gz': gzipSync(encodeIdx([TRAIN, 28, 28], train.images)),
    'train-labels-idx1-ubyte.gz': gzipSync(encodeIdx([TRAIN], train.labels)),
    't10k-images-idx3-ubyte.gz': gzipSync(encodeIdx([TEST, 28, 28], test.images)),
    't10k-labels-idx1-ubyte.gz': gzipSync(encodeIdx([TEST], test.labels)),
  };
}

function writeDir(files: Files): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

describe('IDX parsing', () => {
  it('round-trips dims and data', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const parsed = parseIdx(encodeIdx([2, 3], data), 'x.idx', 'fix it');
    expect(parsed.dims).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([...data]);
  });

  it.each([
    ['shorter than the magic number', Uint8Array.from([0, 0]), /4-byte magic/],
    ['bad magic', Uint8Array.from([0x1f, 0x8b, 8, 1, 0, 0, 0, 0]), /bad magic number 0x1f8b0801/],
    ['non-ubyte type', Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), /bad magic/],
    ['truncated header', Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), /truncated header/],
    ['truncated data', encodeIdx([4], Uint8Array.from([1, 2, 3, 4])).subarray(0, 10), /truncated.*4 bytes of data, found 2/],
    ['extra data', Uint8Array.from([...encodeIdx([2], Uint8Array.from([1, 2])), 9]), /1 extra/],
  ])('rejects %s as a DataError naming the file and the fix', (_, bytes, what) => {
    const attempt = () => parseIdx(bytes, '/data/x.idx', 'reinstall it');
    expect(attempt).toThrow(DataError);
    expect(attempt).toThrow(what);
    expect(attempt).toThrow(/^\/data\/x\.idx is not a valid IDX file: .*; reinstall it$/);
  });
});

describe('fashion-mnist loader', () => {
  afterEach(() => {
    delete process.env[FASHION_MNIST_ENV];
  });

  it('decodes the four IDX files into splits', async () => {
    const ds = await fashionMnist.load({ dataDir: writeDir(validFiles()) });
    expect(ds.name).toBe('fashion-mnist');
    expect(ds.imageShape).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toHaveLength(10);
    expect(ds.classNames[9]).toBe('Ankle boot');
    expect(ds.train.count).toBe(TRAIN);
    expect(ds.test.count).toBe(TEST);
    const expected = synthetic(TRAIN);
    expect(Buffer.from(ds.train.images).equals(Buffer.from(expected.images))).toBe(true);
    expect([...ds.train.labels]).toEqual([...expected.labels]);
    expect([...ds.test.labels]).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads uncompressed files where the gzipped ones are missing', async () => {
    const files = validFiles();
    const plain: Files = {};
    for (const [name, bytes] of Object.entries(files)) {
      plain[name.replace(/\.gz$/, '')] = gunzipSync(bytes);
    }
    const ds = await fashionMnist.load({ dataDir: writeDir(plain) });
    expect(ds.train.count).toBe(TRAIN);
  });

  it('takes the directory from dataDir, then the environment, then the Debian location', () => {
    expect(fashionMnistDir({})).toBe(FASHION_MNIST_DEFAULT_DIR);
    process.env[FASHION_MNIST_ENV] = '/from/env';
    expect(fashionMnistDir({})).toBe('/from/env');
    expect(fashionMnistDir({ dataDir: '/from/option' })).toBe('/from/option');
  });

  it('reads the directory named by the environment variable', async () => {
    process.env[FASHION_MNIST_ENV] = writeDir(validFiles());
    expect((await fashionMnist.load({})).test.count).toBe(TEST);
  });

  it('says how to install the data set when the directory is missing', async () => {
    const load = fashionMnist.load({ dataDir: join(root, 'nowhere') });
    await expect(load).rejects.toThrow(DataError);
    await expect(load).rejects.toThrow(/directory .*nowhere not found; install it with 'apt-get install dataset-fashion-mnist'/);
    await expect(load).rejects.toThrow(/ARCHLAB_FASHION_MNIST_DIR .*data-dir=DIR/);
  });

  it('names a missing file', async () => {
    const files = validFiles();
    delete files['t10k-labels-idx1-ubyte.gz'];
    await expect(fashionMnist.load({ dataDir: writeDir(files) })).rejects.toThrow(
      /t10k-labels-idx1-ubyte\.gz not found; install it with 'apt-get install dataset-fashion-mnist'/,
    );
  });

  const corruptions: [string, (f: Files) => void, string, RegExp][] = [
    [
      'bad gzip',
      (f) => {
        f['train-images-idx3-ubyte.gz'] = Uint8Array.from([1, 2, 3, 4, 5]);
      },
      'train-images-idx3-ubyte.gz',
      /not a valid gzip file/,
    ],
    [
      'truncated gzip',
      (f) => {
        f['train-labels-idx1-ubyte.gz'] = f['train-labels-idx1-ubyte.gz']!.subarray(0, 15);
      },
      'train-labels-idx1-ubyte.gz',
      /not a valid gzip file/,
    ],
    [
      'bad magic',
      (f) => {
        f['t10k-images-idx3-ubyte.gz'] = gzipSync(Uint8Array.from([0, 0, 9, 3, 0, 0, 0, 0]));
      },
      't10k-images-idx3-ubyte.gz',
      /bad magic number/,
    ],
    [
      'truncated data',
      (f) => {
        const whole = encodeIdx([TEST, 28, 28], synthetic(TEST).images);
        f['t10k-images-idx3-ubyte.gz'] = gzipSync(whole.subarray(0, whole.length - 100));
      },
      't10k-images-idx3-ubyte.gz',
      /truncated/,
    ],
    [
      'a count in the header larger than the data',
      (f) => {
        f['train-labels-idx1-ubyte.gz'] = gzipSync(encodeIdx([TRAIN + 1], synthetic(TRAIN).labels).subarray(0));
      },
      'train-labels-idx1-ubyte.gz',
      /truncated: header says 13 = 13 bytes of data, found 12/,
    ],
    [
      'images of the wrong size',
      (f) => {
        f['train-images-idx3-ubyte.gz'] = gzipSync(encodeIdx([TRAIN, 28, 27], new Uint8Array(TRAIN * 28 * 27)));
      },
      'train-images-idx3-ubyte.gz',
      /holds 12x28x27 bytes, not N images of 28x28/,
    ],
    [
      'label and image counts that differ',
      (f) => {
        f['train-labels-idx1-ubyte.gz'] = gzipSync(encodeIdx([TRAIN - 1], synthetic(TRAIN - 1).labels));
      },
      'train-labels-idx1-ubyte.gz',
      /has 11 labels but .*train-images-idx3-ubyte\.gz has 12 images/,
    ],
    [
      'a label out of range',
      (f) => {
        const labels = synthetic(TRAIN).labels;
        labels[7] = 10;
        f['train-labels-idx1-ubyte.gz'] = gzipSync(encodeIdx([TRAIN], labels));
      },
      'train-labels-idx1-ubyte.gz',
      /has label 10 at index 7, outside 0\.\.9/,
    ],
  ];

  it.each(corruptions)('rejects %s with a DataError naming the file', async (_, corrupt, file, what) => {
    const files = validFiles();
    corrupt(files);
    const load = fashionMnist.load({ dataDir: writeDir(files) });
    await expect(load).rejects.toThrow(DataError);
    await expect(load).rejects.toThrow(what);
    await expect(load).rejects.toThrow(file);
    await expect(load).rejects.toThrow(/apt-get install --reinstall dataset-fashion-mnist/);
  });
});
